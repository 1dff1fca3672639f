import CShim
import Foundation
import Glibc
import Testing

/// `mewz-runtime run` as a container engine's child, spawned directly (not through Foundation's
/// Process) so a test controls its stdin exactly (a pipe, a file, /dev/null, closed), can signal
/// it while the guest runs, and gets its wait status and resource usage (wait4: the runtime and
/// the monitor it waited for).
struct SpawnedRuntime {
    enum Input: Sendable {
        /// A pipe: these bytes, then end of file unless `keepOpen`.
        case pipe(String, keepOpen: Bool = false)
        case file(String)
        case devNull
        /// No descriptor 0 at all.
        case closed
    }

    struct Outcome {
        /// The raw wait status.
        let status: Int32
        let stdout: String
        let stderr: String
        /// User plus system CPU time of the runtime and its waited-for children.
        let cpuTime: Duration
        let elapsed: Duration
        var exitStatus: Int32? { cshim_wait_exited(status) != 0 ? cshim_wait_exit_status(status) : nil }
        var signal: Int32? { cshim_wait_signaled(status) != 0 ? cshim_wait_term_signal(status) : nil }
    }

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    let runtime: Runtime
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private let input: InputWriteEnd
    private let start: ContinuousClock.Instant

    /// Starts `mewz-runtime --root <state> run [options] --bundle <bundle> <id>`.
    init(_ runtime: Runtime, bundle: String, id: String, stdin: Input, options: [String] = []) throws {
        self.runtime = runtime
        stdoutPath = runtime.scratch.appendingPathComponent("spawn-\(id).out").path
        stderrPath = runtime.scratch.appendingPathComponent("spawn-\(id).err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var writeEnd: Int32 = -1
        switch stdin {
        case .pipe(let text, let keepOpen):
            var ends: [Int32] = [0, 0]
            // Both ends close-on-exec from the start: other tests spawn processes concurrently,
            // and one that inherited the write end would hold the pipe open (the dup2 to 0
            // below clears the flag on the child's stdin only).
            guard cshim_pipe_cloexec(&ends) == 0 else { throw SpawnError(description: "pipe2: \(errno)") }
            posix_spawn_file_actions_adddup2(&actions, ends[0], 0)
            posix_spawn_file_actions_addclose(&actions, ends[0])
            let bytes = Array(text.utf8)
            // Small payloads: a pipe holds 64 KiB, so this never blocks.
            _ = bytes.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
            if keepOpen {
                writeEnd = ends[1]
            } else {
                close(ends[1])
            }
            defer { close(ends[0]) }
            pid = try Self.spawn(runtime, bundle: bundle, id: id, options: options, actions: &actions,
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
            pid = try Self.spawn(runtime, bundle: bundle, id: id, options: options, actions: &actions,
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
        case .devNull:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            pid = try Self.spawn(runtime, bundle: bundle, id: id, options: options, actions: &actions,
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
        case .closed:
            posix_spawn_file_actions_addclose(&actions, 0)
            pid = try Self.spawn(runtime, bundle: bundle, id: id, options: options, actions: &actions,
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
        }
        input = InputWriteEnd(writeEnd)
        start = ContinuousClock.now
    }

    private static func spawn(_ runtime: Runtime, bundle: String, id: String, options: [String],
                              actions: inout posix_spawn_file_actions_t,
                              stdoutPath: String, stderrPath: String) throws -> pid_t {
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let arguments = [Runtime.binary, "--root", runtime.stateRoot, "run"] + options + ["--bundle", bundle, id]
        var environment = ProcessInfo.processInfo.environment
        environment["MEWZ_CACHE_DIR"] = runtime.cacheDirectory
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let failure = posix_spawn(&pid, Runtime.binary, &actions, nil, argv, envp)
        guard failure == 0 else { throw SpawnError(description: "posix_spawn: \(String(cString: strerror(failure)))") }
        return pid
    }

    /// The bytes written to stdout so far.
    var stdoutSoFar: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    /// Waits (at most `seconds`) until stdout holds `text`.
    func waitForStdout(_ text: String, seconds: Double = 60) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if stdoutSoFar.contains(text) { return true }
            usleep(5_000)
        }
        return false
    }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Writes to the stdin pipe kept open by `.pipe(_, keepOpen: true)`.
    func writeInput(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(input.descriptor, $0.baseAddress, $0.count) }
    }

    /// Idempotent: a second close of the same number could close a descriptor another test
    /// has opened meanwhile (its stdin pipe would then end early).
    func closeInput() {
        input.close()
    }

    /// Reaps the runtime, SIGKILLing it (and recording an issue) after `timeout` seconds.
    func wait(timeout: Double = 60) -> Outcome {
        var status: Int32 = 0
        var usage = rusage()
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var killed = false
        while true {
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { break }
            if !killed && ContinuousClock.now > deadline {
                Issue.record("mewz-runtime run ran past \(timeout) s")
                kill(pid, SIGKILL)
                killed = true
            }
            usleep(2_000)
        }
        let elapsed = ContinuousClock.now - start
        closeInput()
        let micros = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
            + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return Outcome(status: status, stdout: stdoutSoFar,
                       stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "",
                       cpuTime: .microseconds(micros), elapsed: elapsed)
    }

    /// Runs to the end.
    static func run(_ runtime: Runtime, bundle: String, id: String, stdin: Input = .devNull,
                    timeout: Double = 60) throws -> Outcome {
        try SpawnedRuntime(runtime, bundle: bundle, id: id, stdin: stdin).wait(timeout: timeout)
    }
}

/// The test's end of a stdin pipe, closed at most once.
private final class InputWriteEnd: @unchecked Sendable {
    private(set) var descriptor: Int32

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
