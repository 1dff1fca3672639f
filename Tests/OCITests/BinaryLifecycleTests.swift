import Foundation
import Glibc
import Testing
@testable import OCI

/// End-to-end through the built binary, whose container process boots the probe module
/// (oci/examples/probe) in a real KVM VM. Serialized: the tests reap re-parented container
/// processes and check that failures leave no child behind.
@Suite(.serialized, .needsBinary) struct BinaryLifecycleTests {
    @Test(.needsKVM) func createStartStateDelete() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "hello", "7"])
        let output = harness.work + "/container.out"
        let pidFile = harness.work + "/init.pid"

        let created = try harness.run(["create", "--bundle", bundle, "--pid-file", pidFile, "c1"], stdoutPath: output)
        #expect(created.exit == .exited(0))
        #expect(created.stderr.isEmpty)

        // Pid file: digits only, no newline, no temporary left.
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        #expect(pidText.allSatisfy(\.isNumber) && !pidText.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: harness.work + "/.init.pid"))
        let pid = try #require(Int32(pidText))

        // The container process outlived create and was re-parented to us (the subreaper).
        let stat = try #require(ProcessStat.read(pid: pid))
        #expect(stat.parentPID == getpid())
        #expect(!stat.isDead)

        // state: exact text shape, nothing on stderr, no trailing newline.
        let stateRun = try harness.run(["state", "c1"])
        #expect(stateRun.exit == .exited(0))
        #expect(stateRun.stderr.isEmpty)
        #expect(!stateRun.stdout.hasSuffix("\n"))
        let keys = stateRun.stdout.split(separator: "\n").filter { $0.hasPrefix("  \"") }
            .map { $0.dropFirst(3).prefix { $0 != "\"" } }
        #expect(keys == ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"])
        let state = try #require(try harness.state("c1"))
        #expect(state["status"] as? String == "created")
        #expect(state["pid"] as? Int == Int(pid))
        #expect(state["bundle"] as? String == bundle)
        #expect(state["rootfs"] as? String == bundle + "/rootfs")
        #expect(state["annotations"] as? [String: String] == ["org.example/k": "v"])
        let createdText = try #require(state["created"] as? String)
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: createdText) != nil
                || ISO8601DateFormatter().date(from: createdText) != nil)

        // Nothing runs before start; the container holds only its stdio, the fifo and the VM
        // it created (/dev/kvm, the VM, its vCPU), which openFDs leaves out.
        #expect(try String(contentsOfFile: output, encoding: .utf8).isEmpty)
        #expect(RuntimeHarness.holdsOneVM(pid), "\(RuntimeHarness.descriptors(of: pid))")
        // (The commit pipe is closed a moment after create returns.)
        #expect(RuntimeHarness.eventually { RuntimeHarness.openFDs(of: pid).count == 4 })
        let fds = RuntimeHarness.openFDs(of: pid)
        #expect(Array(fds.prefix(3)) == [0, 1, 2])
        #expect(fds.count == 4)
        if fds.count == 4 {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fds[3])")
            #expect(target == harness.root + "/c1/exec.fifo")
        }

        let again = try harness.run(["create", "--bundle", bundle, "c1"], stdoutPath: harness.work + "/again.out")
        #expect(again.exit == .exited(1))
        #expect(again.stderr == "mewz-runtime: container with given ID already exists\n")
        #expect(try harness.state("c1")?["status"] as? String == "created")

        #expect(try harness.run(["start", "c1"]).exit == .exited(0))
        #expect(harness.reap(pid) == .exited(7))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "/app.wasm hello 7\n")

        let stopped = try #require(try harness.state("c1"))
        #expect(stopped["status"] as? String == "stopped")
        #expect(stopped["pid"] as? Int == 0)
        let restart = try harness.run(["start", "c1"])
        #expect(restart.exit == .exited(1))
        #expect(restart.stderr == "mewz-runtime: cannot start a container that has stopped\n")

        #expect(try harness.run(["delete", "c1"]).exit == .exited(0))
        #expect(!harness.containerDirectoryExists("c1"))
        let gone = try harness.run(["state", "c1"])
        #expect(gone.exit == .exited(1))
        #expect(gone.stderr == "mewz-runtime: container does not exist\n")
        #expect(gone.stdout.isEmpty)
    }

    @Test(.needsKVM) func runningContainerHoldsOnlyItsStdio() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"])
        let pidFile = harness.work + "/pid"
        #expect(try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "c"],
                                stdoutPath: harness.work + "/out").exit == .exited(0))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(try harness.run(["start", "c"]).exit == .exited(0))
        #expect(try harness.state("c")?["status"] as? String == "running")
        #expect(harness.awaitOutput(harness.work + "/out", "/app.wasm spin\n"))
        #expect(!FileManager.default.fileExists(atPath: harness.root + "/c/exec.fifo"))
        // Besides its VM (left out by openFDs), only stdio: the probe imports no sock_open, so
        // there is no epoll instance for polls of sockets either (NetworkTests run modules
        // that have one).
        #expect(RuntimeHarness.openFDs(of: pid) == [0, 1, 2], "\(RuntimeHarness.descriptors(of: pid))")
        #expect(RuntimeHarness.holdsOneVM(pid), "\(RuntimeHarness.descriptors(of: pid))")

        let second = try harness.run(["start", "c"])
        #expect(second.stderr == "mewz-runtime: cannot start an already running container\n")
        #expect(try harness.run(["delete", "--force", "c"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
    }

    @Test(.needsKVM) func preservedFDsReachTheContainer() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm"])
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let pipeTarget = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fds[1])")

        for (id, flags, expected) in [("kept", ["--preserve-fds", "1"], [0, 1, 2, 3] as [Int32]), ("closed", [], [0, 1, 2])] {
            let pidFile = harness.work + "/\(id).pid"
            let outcome = try harness.run(["create", "-b", bundle, "--pid-file", pidFile] + flags + [id],
                                          stdoutPath: harness.work + "/\(id).out", extraFD: fds[1])
            #expect(outcome.exit == .exited(0), "\(outcome.stderr)")
            let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
            // The VM's descriptors (left out) may take the numbers a closed fd 3 frees.
            #expect(RuntimeHarness.eventually { RuntimeHarness.openFDs(of: pid, exceptStartFIFO: true) == expected },
                    "\(RuntimeHarness.descriptors(of: pid))")
            if expected.contains(3) {
                #expect(RuntimeHarness.descriptors(of: pid).first { $0.fd == 3 }?.target == pipeTarget)
            }
            #expect(try harness.run(["delete", id]).exit == .exited(0))
            #expect(harness.reap(pid) == .signaled(SIGKILL))
        }
    }

    // MARK: Failures leave nothing behind

    enum BadInput: String, CaseIterable {
        case missingBundle, invalidJSON, missingArgs, wrongType, notWasm, truncatedModule, truncatedSection
        case missingToolchain, compilerNotExecutable, terminal, consoleSocket, unopenedPreservedFD, escapingSymlink
        case unwritablePidFile, unsupportedOCIVersion, bundleIsAFile
    }

    @Test(.needsKVM, arguments: BadInput.allCases)
    func createFailureLeavesNothing(_ input: BadInput) throws {
        let harness = try RuntimeHarness()
        var bundle = harness.work + "/none"
        var extra: [String] = []
        var environment: [String: String] = [:]
        var expected: String
        var pidFile = harness.work + "/init.pid"
        // A cache hit needs no toolchain: the toolchain cases build into an empty cache.
        let freshCache = harness.work + "/fresh-cache"
        func config(_ process: String) -> String {
            #"{"ociVersion":"1.2.0","process":\#(process),"root":{"path":"rootfs"}}"#
        }
        switch input {
        case .missingBundle:
            expected = "open bundle \(bundle): no such file or directory"
        case .invalidJSON:
            bundle = try harness.bundle("b", args: [], config: "{\"ociVersion\": \"1\",\n")
            expected = "\(bundle)/config.json: invalid JSON at line 2, column 1: unexpected end of data"
        case .missingArgs:
            bundle = try harness.bundle("b", args: [], config: config(#"{"cwd":"/"}"#))
            expected = "\(bundle)/config.json: process.args is required"
        case .wrongType:
            bundle = try harness.bundle("b", args: [], config: config(#"{"args":["/app.wasm"],"cwd":"/","env":"A=1"}"#))
            expected = "\(bundle)/config.json: process.env must be an array, not a string"
        case .notWasm:
            bundle = try harness.bundle("b", args: ["/app.wasm"], module: Array("#!/bin/sh\necho\n".utf8))
            expected = "/app.wasm is not a WebAssembly module (bad magic)"
        case .truncatedModule:
            bundle = try harness.bundle("b", args: ["/app.wasm"], module: [0, 0x61, 0x73])
            expected = "/app.wasm is not a WebAssembly module (truncated to 3 bytes)"
        case .truncatedSection:
            // A type section that claims 9 bytes and has 1.
            bundle = try harness.bundle("b", args: ["/app.wasm"], module: RuntimeHarness.minimalModule + [1, 9, 0])
            expected = "cannot build image: /app.wasm: invalid module: malformed module at offset 0x9 (type section): length out of bounds"
        case .missingToolchain:
            // No clang anywhere on PATH and MEWZ_CC/MEWZ_LD unset (empty counts as unset).
            try FileManager.default.createDirectory(atPath: harness.work + "/empty-bin", withIntermediateDirectories: true)
            bundle = try harness.bundle("b", args: ["/app.wasm"])
            environment = ["MEWZ_CACHE_DIR": freshCache, "PATH": harness.work + "/empty-bin", "MEWZ_CC": "", "MEWZ_LD": ""]
            expected = "cannot build image: clang not found: install the Debian packages clang-19 and lld-19, "
                + "or set MEWZ_CC to a clang binary"
        case .compilerNotExecutable:
            bundle = try harness.bundle("b", args: ["/app.wasm"])
            environment = ["MEWZ_CACHE_DIR": freshCache, "MEWZ_CC": "/nonexistent/clang"]
            expected = "cannot build image: MEWZ_CC=/nonexistent/clang is not an executable file "
                + "(point it at one, or unset it and install the Debian package clang-19)"
        case .terminal:
            bundle = try harness.bundle("b", args: [], config: config(#"{"terminal":true,"args":["/app.wasm"],"cwd":"/"}"#))
            expected = "cannot allocate tty if runc will detach without setting console socket"
        case .consoleSocket:
            bundle = try harness.bundle("b", args: ["/app.wasm"])
            extra = ["--console-socket", harness.work + "/console.sock"]
            expected = "cannot use console socket if runc will not detach or allocate tty"
        case .unopenedPreservedFD:
            bundle = try harness.bundle("b", args: ["/app.wasm"])
            extra = ["--preserve-fds", "40"]
            expected = "--preserve-fds: file descriptor 3 is not open"
        case .escapingSymlink:
            bundle = try harness.bundle("b", args: ["/escape.wasm"])
            // Outside the rootfs there IS a module; resolved inside the rootfs, the link dangles.
            try Data(RuntimeHarness.probeModule ?? []).write(to: URL(fileURLWithPath: harness.work + "/outside.wasm"))
            try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/escape.wasm",
                                                       withDestinationPath: "../../outside.wasm")
            expected = "exec: \"/escape.wasm\": no such file or directory"
        case .unsupportedOCIVersion:
            bundle = try harness.bundle("b", args: [], config: #"{"ociVersion":"2.0.0","process":{"args":["/app.wasm"],"cwd":"/"},"root":{"path":"rootfs"}}"#)
            expected = "\(bundle)/config.json: ociVersion \"2.0.0\" is not supported (mewz-runtime implements 1.x, up to 1.2.0)"
        case .bundleIsAFile:
            bundle = try harness.bundle("b", args: ["/app.wasm"]) + "/config.json"
            expected = "bundle \(bundle) is not a directory"
        case .unwritablePidFile:
            // Fails after the container process (and its VM) exists: it must be killed and reaped.
            bundle = try harness.bundle("b", args: ["/app.wasm"])
            pidFile = harness.work + "/missing-dir/init.pid"
            expected = "open \(harness.work)/missing-dir/.init.pid: no such file or directory"
        }
        try expectCreateFailsCleanly(harness, bundle: bundle, pidFile: pidFile, extra: extra,
                                     environment: environment, expected: expected)
        if environment["MEWZ_CACHE_DIR"] == freshCache {
            let files = (try? FileManager.default.subpathsOfDirectory(atPath: freshCache)) ?? []
            #expect(files.filter { $0.hasSuffix(".img") }.isEmpty, "\(files)")
        }
    }

    /// The monitor cannot create its VM: /dev/kvm is /dev/null in the runtime's private
    /// mount namespace, so opening it works and KVM_GET_API_VERSION fails.
    @Test(.needsKVM, .needsRoot) func vmInitFailureLeavesNothing() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm"])
        try expectCreateFailsCleanly(
            harness, bundle: bundle, pidFile: harness.work + "/init.pid", wrapper: RuntimeHarness.withoutKVM,
            expected: "cannot start container process: /dev/kvm is not a KVM device "
                + "(KVM_GET_API_VERSION: Inappropriate ioctl for device)")
    }

    /// One error line, exit 1, and no container directory, pid file, process or output.
    private func expectCreateFailsCleanly(
        _ harness: RuntimeHarness, bundle: String, pidFile: String, extra: [String] = [],
        environment: [String: String] = [:], wrapper: [String] = [], expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let outcome = try harness.run(["create", "--bundle", bundle, "--pid-file", pidFile] + extra + ["bad"],
                                      environment: environment, stdoutPath: harness.work + "/out", wrapper: wrapper)
        #expect(outcome.exit == .exited(1), sourceLocation: sourceLocation)
        #expect(outcome.stderr == "mewz-runtime: \(expected)\n", sourceLocation: sourceLocation)
        #expect(!harness.containerDirectoryExists("bad"), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: pidFile), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: harness.work + "/.init.pid"), sourceLocation: sourceLocation)
        #expect(harness.leftoverProcesses().isEmpty, sourceLocation: sourceLocation)
        #expect(try String(contentsOfFile: harness.work + "/out", encoding: .utf8).isEmpty,
                sourceLocation: sourceLocation)
    }

    @Test func jsonLogGetsExactlyOneErrorLine() throws {
        let harness = try RuntimeHarness()
        let log = harness.work + "/log.json"
        let outcome = try harness.run(["--log-format=json", "--log", log, "create", "--bundle",
                                       harness.work + "/missing", "c"], stdoutPath: harness.work + "/out")
        #expect(outcome.exit == .exited(1))
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1 && text.hasSuffix("\n"))
        let entry = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(entry["level"] == "error")
        #expect("mewz-runtime: " + (entry["msg"] ?? "") + "\n" == outcome.stderr)
        #expect(ISO8601DateFormatter().date(from: entry["time"] ?? "") != nil)
    }
}

extension ISO8601DateFormatter {
    static let withFractionalSeconds: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
