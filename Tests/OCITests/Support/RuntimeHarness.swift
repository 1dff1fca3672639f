import CShim
import Foundation
import Glibc
@testable import OCI

/// Runs the BUILT mewz-runtime (with the stub monitor) against temporary bundles and a
/// temporary --root, as podman/conmon would: this test process is a child subreaper, so a
/// container process outliving `create` is re-parented to it and can be reaped for its status.
final class RuntimeHarness {
    struct Outcome {
        var exit: ProcessExit
        var stdout: String
        var stderr: String
    }

    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["MEWZ_RUNTIME_BIN"] { return path }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/mewz-runtime").path
    }()

    static let becameSubreaper: Bool = cshim_set_child_subreaper() == 0

    let work: String
    let root: String

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: RuntimeHarness.binary) else {
            throw HarnessError("\(RuntimeHarness.binary) is missing: run `swift build --product mewz-runtime` "
                               + "or set MEWZ_RUNTIME_BIN")
        }
        guard RuntimeHarness.becameSubreaper else { throw HarnessError("prctl(PR_SET_CHILD_SUBREAPER) failed") }
        var template = Array("/tmp/mewz-oci-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        work = String(cString: made)
        root = work + "/root"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: work)
    }

    // MARK: Bundles

    static let minimalModule: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    /// A bundle whose config.json runs `args` (args[0] is the module's path in the rootfs).
    func bundle(_ name: String, args: [String], module: [UInt8] = RuntimeHarness.minimalModule,
                modulePath: String = "app.wasm", config: String? = nil) throws -> String {
        let bundle = work + "/" + name
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        try Data(module).write(to: URL(fileURLWithPath: bundle + "/rootfs/" + modulePath))
        let argsJSON = args.map { "\"\($0)\"" }.joined(separator: ",")
        let text = config ?? """
            {"ociVersion":"1.2.0","process":{"terminal":false,"args":[\(argsJSON)],"env":["PATH=/bin"],"cwd":"/"},
             "root":{"path":"rootfs"},"annotations":{"org.example/k":"v"}}
            """
        try text.write(toFile: bundle + "/config.json", atomically: true, encoding: .utf8)
        return bundle
    }

    // MARK: Running the binary

    /// Runs `mewz-runtime --root <root> arguments` to completion. Its stdout and stderr go to
    /// files (a pipe would stay open in the container process); stdin is /dev/null.
    func run(_ arguments: [String], environment: [String: String] = [:], stdoutPath: String? = nil,
             extraFD: Int32? = nil, hostileSignals: Bool = false) throws -> Outcome {
        let pid = try spawn(["--root", root] + arguments, environment: environment,
                            stdoutPath: stdoutPath, extraFD: extraFD, hostileSignals: hostileSignals)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let stdout = stdoutPath ?? work + "/last.stdout"
        return Outcome(exit: ProcessExit(waitStatus: status),
                       stdout: (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOfFile: work + "/last.stderr", encoding: .utf8)) ?? "")
    }

    /// Starts the binary without waiting (the caller reaps the returned pid). It gets default
    /// signal dispositions and an empty mask, like a child of conmon; `hostileSignals` instead
    /// passes every signal blocked and SIGINT/SIGHUP ignored.
    func spawn(_ arguments: [String], environment: [String: String] = [:], stdoutPath: String? = nil,
               extraFD: Int32? = nil, hostileSignals: Bool = false) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        var defaults = sigset_t()
        sigfillset(&defaults)
        if hostileSignals {
            sigfillset(&mask)
            sigdelset(&defaults, SIGINT)
            sigdelset(&defaults, SIGHUP)
        } else {
            sigemptyset(&mask)
        }
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // Dispositions are inherited: ignore in this process around the spawn (serialized suite).
        let previousINT = hostileSignals ? signal(SIGINT, SIG_IGN) : nil
        let previousHUP = hostileSignals ? signal(SIGHUP, SIG_IGN) : nil
        defer {
            if hostileSignals {
                signal(SIGINT, previousINT)
                signal(SIGHUP, previousHUP)
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath ?? work + "/last.stdout",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, work + "/last.stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Only what a caller deliberately passes reaches the runtime: fds 0-2 and maybe fd 3.
        let inherited = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in inherited.compactMap(Int32.init) where fd > 2 && fd != extraFD {
            if fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        if let extraFD { posix_spawn_file_actions_adddup2(&actions, extraFD, 3) }

        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "MEWZ_STUB_NO_TOOLCHAIN")
        merged.merge(environment) { $1 }
        let argv = ([RuntimeHarness.binary] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, RuntimeHarness.binary, &actions, &attributes, argv, envp)
        guard result == 0 else { throw HarnessError("posix_spawn: \(result)") }
        return pid
    }

    // MARK: Observing

    /// The decoded `state` output, or nil when state fails.
    func state(_ id: String) throws -> [String: Any]? {
        let outcome = try run(["state", id])
        guard outcome.exit == .exited(0),
              let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        else { return nil }
        return object
    }

    func containerDirectoryExists(_ id: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/" + id)
    }

    /// Reaps a container process re-parented to us (or our own child).
    func reap(_ pid: Int32) -> ProcessExit? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { return ProcessExit(waitStatus: status) }
            if result == -1 && errno == EINTR { continue }
            return nil
        }
    }

    /// Pids of our children that are still alive or unreaped (leftover container processes).
    static func children() -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            ProcessStat.read(pid: pid)?.parentPID == me
        }
    }

    /// SigBlk and SigIgn from /proc/<pid>/status.
    static func signalMasks(of pid: Int32) -> (blocked: String, ignored: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> String {
            text.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) } ?? ""
        }
        return (field("SigBlk"), field("SigIgn"))
    }

    static func openFDs(of pid: Int32, exceptStartFIFO: Bool = false) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return entries.compactMap(Int32.init).sorted().filter { fd in
            guard exceptStartFIFO else { return true }
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
            return target?.hasSuffix("/exec.fifo") != true
        }
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    static func eventually(seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
