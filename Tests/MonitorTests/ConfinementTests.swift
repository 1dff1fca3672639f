import Foundation
import Glibc
import Testing
@testable import Monitor

/// The seccomp allowlist, in real confined processes: the SeccompProbe executable runs the probe
/// guest through the public API (so through the same run() as the container process) and then
/// does one more thing. Confinement cannot be undone, so it never happens in this process.
@Suite(.serialized, .enabled(if: TestGuest.canRun, "needs /dev/kvm, and clang and ld.lld on PATH to build the test guest"),
       .timeLimit(.minutes(1)))
struct ConfinementTests {
    struct Outcome {
        let status: Int32
        let reason: Process.TerminationReason
        let stdout: String
        let stderr: String
    }

    /// Built next to the test bundle by `swift build --build-tests` / `swift test`.
    static let probePath = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("SeccompProbe").path

    static func guestELF() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-seccomp-probe-\(getpid()).elf").path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: Data(try TestGuest.probe.get())) else {
                throw POSIXError(.EIO)
            }
        }
        return path
    }

    /// `volume`: a host directory the probe's VM serves (the filter then has the volume rules);
    /// `sockets`: whether the guest may open sockets (the filter then has the socket rules).
    static func launch(_ mode: String, then action: String, stdin: String = "",
                       volume: String? = nil, sockets: Bool = true) throws -> (Process, Pipe, Pipe) {
        guard FileManager.default.isExecutableFile(atPath: probePath) else {
            throw POSIXError(.ENOENT)  // the SeccompProbe product was not built
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: probePath)
        process.arguments = [try guestELF(), mode, action]
        var environment = ProcessInfo.processInfo.environment
        if let volume { environment["MEWZ_PROBE_VOLUME"] = volume }
        if !sockets { environment["MEWZ_PROBE_NO_SOCKETS"] = "1" }
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        return (process, output, errors)
    }

    static func finish(_ process: Process, _ output: Pipe, _ errors: Pipe) -> Outcome {
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, reason: process.terminationReason,
                       stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func run(_ mode: String, then action: String, stdin: String = "", volume: String? = nil,
                    sockets: Bool = true) throws -> Outcome {
        let (process, output, errors) = try launch(mode, then: action, stdin: stdin, volume: volume, sockets: sockets)
        return finish(process, output, errors)
    }

    /// The probe's "Seccomp:", "Seccomp_filters:" and "NoNewPrivs:" lines, once the filter is in.
    static func confinementStatus(of pid: Int32) -> [String: String] {
        for _ in 0..<500 {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            var fields: [String: String] = [:]
            for line in status.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            if fields["Seccomp"] == "2" { return fields }
            usleep(10_000)
        }
        return [:]
    }

    @Test func filterIsActiveWhileTheGuestRunsAndSignalsStillEndIt() throws {
        let (process, output, errors) = try Self.launch("spin", then: "exit")
        // The guest is running: its first write is through.
        let first = output.fileHandleForReading.readData(ofLength: "spinning\n".utf8.count)
        #expect(String(decoding: first, as: UTF8.self) == "spinning\n")
        let fields = Self.confinementStatus(of: process.processIdentifier)
        #expect(fields["Seccomp"] == "2")  // SECCOMP_MODE_FILTER
        #expect(fields["Seccomp_filters"] == "1")
        #expect(fields["NoNewPrivs"] == "1")
        kill(process.processIdentifier, SIGTERM)
        let outcome = Self.finish(process, output, errors)
        // The handler, the disarm and the re-raise with the default action are all allowed.
        #expect(outcome.reason == .uncaughtSignal && outcome.status == SIGTERM)
        #expect(outcome.stderr == "")
    }

    @Test(arguments: [
        // guest mode, stdin, status, stdout, stderr: stdio, entropy, traps and exit work confined
        ("hello", "", Int32(7), "hello from the guest\n", ""),
        ("echo", "ping\n", 5, "ping\n", ""),
        ("random", "", 0, "", ""),
        ("trap", "", 134, "", "wasm trap: unreachable\n"),
        ("lm-grow", "abcdefgh", 0, "\0\0\0\0abcdefgh", ""),  // new memory slots
        ("poll-stdin", "hello", 5, "waiting\nrevents 17 nbytes 0005\nhello", ""),  // ppoll, FIONREAD
        ("sleep", "", 0, "", ""),  // ppoll with a timeout
        // The hypercall ring's server thread: the filter covers it (TSYNC) and allows its
        // futexes, and its start-up, which may come after the filter.
        ("ring 50 40000", "", 0, String(repeating: "ring\n", count: 50), ""),
    ])
    func allowedPathsWorkConfined(mode: String, stdin: String, status: Int32, stdout: String, stderr: String) throws {
        let outcome = try Self.run(mode, then: "exit", stdin: stdin)
        #expect(outcome.reason == .exit && outcome.status == status,
                "\(outcome.reason == .exit ? "exit" : "signal") \(outcome.status), stderr: \(outcome.stderr)")
        #expect(outcome.stdout == stdout)
        #expect(outcome.stderr == stderr)
    }

    /// glibc's start-up of a thread (rseq, set_robust_list) is allowed: the ring's server thread
    /// is not waited for before the filter is loaded, and on a busy host it starts after it.
    @Test func aThreadsStartUpCallsAreAllowedConfined() throws {
        let outcome = try Self.run("hello", then: "thread-start-calls", stdin: "")
        #expect(outcome.reason == .exit && outcome.status == 0, "\(outcome)")
    }

    /// Every errno path of every hypercall, confined: none of them needs a call the filter refuses.
    @Test func hostileArgumentsAreAnsweredConfined() throws {
        let outcome = try Self.run("hostile", then: "exit", stdin: "abcdefgh")
        #expect(outcome.reason == .exit && outcome.status == 0)
        #expect(!outcome.stdout.isEmpty && outcome.stderr == "")
    }

    @Test(arguments: ["open", "write-other-fd", "read-other-fd", "ioctl-stdout", "ioctl-stdin", "ppoll-four",
                      "mmap-exec", "mmap-file", "socket", "kill-other"])
    func forbiddenSystemCallAfterSetUpKillsTheMonitor(action: String) throws {
        let outcome = try Self.run("hello", then: action)
        #expect(outcome.stdout == "hello from the guest\n")  // the guest ran confined first
        #expect(outcome.reason == .uncaughtSignal && outcome.status == SIGSYS, "\(outcome.stderr)")
        // One line names the call (SIGSYS's handler), so the death is not silent.
        // x86-64's numbers (Swift does not import glibc's SYS_* macros): glibc's open is openat.
        let expected = ["open": 257, "write-other-fd": 1, "read-other-fd": 0, "ioctl-stdout": 16,
                        "ioctl-stdin": 16, "ppoll-four": 271, "mmap-exec": 9, "mmap-file": 9, "socket": 41,
                        "kill-other": 62]
        #expect(outcome.stderr == "mewz-runtime: the monitor made system call \(expected[action] ?? -1), "
                + "which its seccomp filter does not allow; stopping it\n")
    }

    /// A forbidden call still ends the monitor with SIGSYS when nobody reads its stderr any more:
    /// the line's write fails with EPIPE instead of a death by SIGPIPE.
    @Test func aForbiddenCallWithNobodyReadingStderrStillDiesOfSIGSYS() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        close(ends[0])  // nobody will read
        let errors = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.probePath)
        process.arguments = [try Self.guestELF(), "hello", "open"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        try errors.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGSYS,
                "\(process.terminationReason) \(process.terminationStatus)")
    }

    /// With a volume the filter lets the file calls of MEWZ_HC_FS through, and nothing else:
    /// plain open, links through symlinks, other fcntl commands and a sync_file_range that waits
    /// still kill the monitor.
    @Test func volumeCallsAreAllowedWithAVolumeOnly() throws {
        let volume = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-seccomp-volume-\(getpid())").path
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: volume) }
        let allowed = try Self.run("hello", then: "volume-calls", volume: volume)
        #expect(allowed.reason == .exit && allowed.status == 0, "\(allowed.stderr)")
        let without = try Self.run("hello", then: "volume-calls")
        #expect(without.reason == .uncaughtSignal && without.status == SIGSYS, "\(without.stderr)")
        for action in ["open", "linkat-follow", "fcntl-setfd", "sync-file-range-wait", "socket"] {
            let outcome = try Self.run("hello", then: action, volume: volume)
            #expect(outcome.reason == .uncaughtSignal && outcome.status == SIGSYS, "\(action): \(outcome.stderr)")
        }
    }

    /// A guest whose module imports no sock_open gets no socket calls in the filter: its
    /// monitor answers a sock_open with ENOTCAPABLE (76) instead of dying of SIGSYS, and the
    /// socket call sock_open makes kills the monitor after set-up. With sockets both work.
    @Test func socketCallsAreAllowedOnlyForAGuestThatCanOpenSockets() throws {
        let opened = try Self.run("sock-open", then: "exit")
        #expect(opened.reason == .exit && opened.status == 0, "\(opened.stderr)")
        let refused = try Self.run("sock-open", then: "exit", sockets: false)
        #expect(refused.reason == .exit && refused.status == 76, "\(refused.stderr)")

        let allowed = try Self.run("hello", then: "socket-nonblocking")
        #expect(allowed.reason == .exit && allowed.status == 125, "\(allowed.stderr)")
        #expect(allowed.stderr.contains("socket-nonblocking was allowed"))
        let killed = try Self.run("hello", then: "socket-nonblocking", sockets: false)
        #expect(killed.reason == .uncaughtSignal && killed.status == SIGSYS, "\(killed.stderr)")
    }
}
