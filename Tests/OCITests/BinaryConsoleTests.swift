import CShim
import Foundation
import Glibc
import Testing
@testable import OCI

/// process.terminal with --console-socket (a real pty whose master arrives by one SCM_RIGHTS
/// message, as conmon and go-runc require), and descriptors passed by socket activation
/// (LISTEN_FDS) and --preserve-fds.
@Suite(.serialized, .needsBinary) struct BinaryConsoleTests {
    /// A listening unix socket, accepted from only after `create` has exited (as the
    /// containerd shim does).
    final class ConsoleListener {
        let fd: Int32

        struct Control {
            var level: Int32
            var type: Int32
            var fds: [Int32]
        }

        struct Message {
            var payload: [UInt8]
            var controls: [Control]
        }

        init(path: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw HarnessError("socket") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: bytes.prefix(raw.count - 1)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(fd, 1) == 0 else { throw HarnessError("bind/listen \(path)") }
        }

        deinit { close(fd) }

        /// Accepts one connection and reads its one message; the control messages are parsed
        /// by hand (struct cmsghdr: size_t len, int level, int type, then the data, 8-aligned).
        func receiveOne() throws -> Message {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { throw HarnessError("accept") }
            defer { close(connection) }
            var payload = [UInt8](repeating: 0, count: 8192)
            var control = [UInt8](repeating: 0, count: 256)
            var controlLength = 0
            let count: Int = payload.withUnsafeMutableBytes { payloadBytes in
                control.withUnsafeMutableBytes { controlBytes in
                    var vector = iovec(iov_base: payloadBytes.baseAddress, iov_len: payloadBytes.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        let received = recvmsg(connection, &message, 0)
                        controlLength = Int(message.msg_controllen)
                        return received
                    }
                }
            }
            guard count >= 0 else { throw HarnessError("recvmsg") }
            var controls: [Control] = []
            var offset = 0
            while offset + 16 <= controlLength {
                let length = control[offset..<offset + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
                func int32(_ at: Int) -> Int32 {
                    Int32(bitPattern: control[at..<at + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) })
                }
                guard length >= 16 else { break }
                let fds = stride(from: offset + 16, to: offset + length, by: 4).map(int32)
                controls.append(Control(level: int32(offset + 8), type: int32(offset + 12), fds: fds))
                offset += (length + 7) & ~7
            }
            return Message(payload: Array(payload.prefix(count)), controls: controls)
        }
    }

    @Test(.needsKVM) func terminalGoesToTheConsoleSocket() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "tty", "3"]) { config in
            var process = config["process"] as? [String: Any] ?? [:]
            process["terminal"] = true
            process["consoleSize"] = ["height": 30, "width": 100]
            config["process"] = process
        }
        let socketPath = harness.work + "/console.sock"
        let listener = try ConsoleListener(path: socketPath)
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--console-socket", socketPath, "--pid-file", pidFile, "t"],
                                      stdoutPath: harness.work + "/out")
        #expect(created.exit == .exited(0), "\(created.stderr)")
        #expect(created.stderr.isEmpty && created.stdout.isEmpty)
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))

        let message = try listener.receiveOne()
        #expect(message.payload.count < 4096 && !message.payload.isEmpty)
        #expect(message.controls.count == 1)
        let control = try #require(message.controls.first)
        #expect(control.level == SOL_SOCKET && control.type == 1 /* SCM_RIGHTS */)
        #expect(control.fds.count == 1)
        let master = try #require(control.fds.first)
        defer { close(master) }
        #expect(isatty(master) == 1)
        var attributes = termios()
        #expect(tcgetattr(master, &attributes) == 0)
        var rows: UInt16 = 0, columns: UInt16 = 0
        #expect(cshim_get_window_size(master, &rows, &columns) == 0)
        #expect(rows == 30 && columns == 100)

        // The monitor's stdio is the slave; it keeps no master.
        let slave = String(decoding: message.payload, as: UTF8.self)
        #expect(slave.hasPrefix("/dev/pts/"))
        let descriptors = RuntimeHarness.descriptors(of: pid)
        #expect(descriptors.filter { $0.fd <= 2 }.map(\.target) == [slave, slave, slave])
        #expect(!descriptors.contains { $0.target == "/dev/ptmx" || $0.target.hasPrefix("/dev/pts/ptmx") })

        #expect(try harness.run(["start", "t"]).exit == .exited(0))
        #expect(harness.reap(pid) == .exited(3))
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &bytes, bytes.count)
        #expect(count > 0)
        // The line discipline turns "\n" into "\r\n", as for any process on a terminal.
        #expect(String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self) == "/app.wasm tty 3\r\n")
        #expect(try harness.run(["delete", "t"]).exit == .exited(0))
    }

    /// LISTEN_FDS=1 with LISTEN_PID naming the runtime, plus --preserve-fds 1: fds 3 and 4 stay
    /// open in the monitor at their numbers, and the guest sees LISTEN_FDS=1, LISTEN_PID=1.
    @Test(.needsKVM) func socketActivationAndPreservedDescriptors() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "env"])
        var first: [Int32] = [0, 0], second: [Int32] = [0, 0]
        #expect(pipe(&first) == 0 && pipe(&second) == 0)
        defer { [first[0], first[1], second[0], second[1]].forEach { close($0) } }
        let targets = try [first[1], second[1]].map { try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
        // sh sets LISTEN_PID to its own pid, which `exec` hands to the runtime.
        let activation = ["/bin/sh", "-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$@\"", "sh"]

        let output = harness.work + "/out"
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "--preserve-fds", "1", "l"],
                                      stdoutPath: output, extraFDs: [first[1], second[1]], wrapper: activation)
        #expect(created.exit == .exited(0), "\(created.stderr)")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(RuntimeHarness.eventually { RuntimeHarness.openFDs(of: pid, exceptStartFIFO: true) == [0, 1, 2, 3, 4] },
                "\(RuntimeHarness.descriptors(of: pid))")
        let descriptors = RuntimeHarness.descriptors(of: pid)
        #expect(descriptors.first { $0.fd == 3 }?.target == targets[0])
        #expect(descriptors.first { $0.fd == 4 }?.target == targets[1])
        #expect(try harness.run(["start", "l"]).exit == .exited(0))
        #expect(harness.reap(pid) == .exited(0))
        let environment = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(environment.contains("LISTEN_FDS=1") && environment.contains("LISTEN_PID=1"), "\(environment)")
        #expect(try harness.run(["delete", "l"]).exit == .exited(0))

        // LISTEN_PID of another process: not ours, so neither the fd nor the variables pass.
        let other = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "o"], environment: ["LISTEN_FDS": "1", "LISTEN_PID": "1"],
                                    stdoutPath: output, extraFDs: [first[1]])
        #expect(other.exit == .exited(0), "\(other.stderr)")
        let otherPID = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(RuntimeHarness.eventually { RuntimeHarness.openFDs(of: otherPID, exceptStartFIFO: true) == [0, 1, 2] })
        #expect(try harness.run(["start", "o"]).exit == .exited(0))
        #expect(harness.reap(otherPID) == .exited(0))
        let otherEnvironment = try String(contentsOfFile: output, encoding: .utf8)
        #expect(!otherEnvironment.contains("LISTEN_"), "\(otherEnvironment)")
        #expect(try harness.run(["delete", "o"]).exit == .exited(0))
    }
}
