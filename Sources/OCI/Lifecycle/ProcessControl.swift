import CShim
import Glibc

/// How a process ended, from its wait status.
public enum ProcessExit: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus status: Int32) {
        if cshim_wait_signaled(status) != 0 {
            self = .signaled(cshim_wait_term_signal(status))
        } else {
            self = .exited(cshim_wait_exit_status(status))
        }
    }

    var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "was killed by signal \(signal)"
        }
    }

    /// Go's os.ProcessState text, which runc's hook errors carry: "exit status 1", "signal: killed".
    var goDescription: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "signal: " + SignalName.goName(signal)
        }
    }

    /// Ends this process the same way: exit(code), or death by the signal's default action.
    public func reproduce() -> Never {
        switch self {
        case .exited(let code): exit(code)
        case .signaled(let signal): cshim_die_by_signal(signal)
        }
    }
}

enum ProcessControl {
    /// waitpid for one of our own children.
    static func wait(for pid: Int32) throws(OCIError) -> ProcessExit {
        var status: Int32 = 0
        guard Syscall.retrying({ waitpid(pid, &status, 0) }) == pid else {
            throw .system("waitpid \(pid)", errno: errno)
        }
        return ProcessExit(waitStatus: status)
    }

    /// SIGKILL and reap a child that must not outlive a failed command.
    static func killAndReap(_ pid: Int32) {
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = Syscall.retrying { waitpid(pid, &status, 0) }
    }

    /// Waits until a process that is not our child is dead (gone, a zombie, or reused), polling /proc.
    static func awaitDeath(pid: Int32, startTime: UInt64, timeoutMilliseconds: Int) -> Bool {
        var waited = 0
        var step = 1
        while true {
            if ContainerStatus.derive(recordedStartTime: startTime, process: ProcessStat.read(pid: pid),
                                      fifoExists: false) == .stopped {
                return true
            }
            if waited >= timeoutMilliseconds { return false }
            sleep(milliseconds: step)
            waited += step
            step = min(step * 2, 100)
        }
    }

    static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }

    /// Runs `program` (looked up in PATH) with stdin /dev/null and stderr dropped; returns its
    /// stdout when it exits 0.
    static func capture(_ program: String, _ arguments: [String]) throws(OCIError) -> [UInt8] {
        var output: [Int32] = [-1, -1], failure: [Int32] = [-1, -1]
        guard cshim_pipe_cloexec(&output) == 0 else { throw .system("pipe2", errno: errno) }
        defer { output.forEach { if $0 >= 0 { close($0) } } }
        guard cshim_pipe_cloexec(&failure) == 0 else { throw .system("pipe2", errno: errno) }
        defer { failure.forEach { if $0 >= 0 { close($0) } } }
        let null = Syscall.retrying { open("/dev/null", O_RDWR | O_CLOEXEC) }
        guard null >= 0 else { throw .system("open", "/dev/null", errno: errno) }
        defer { close(null) }
        let path = program.contains("/") ? program : searchPath(program) ?? program
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let pid = cshim_spawn(path, argv, nil, null, output[1], null, nil, 0, failure[1])
        guard pid > 0 else { throw .system("fork", errno: errno) }
        close(output[1]); output[1] = -1
        close(failure[1]); failure[1] = -1
        let bytes = try FileIO.readAll(output[0], path: program, limit: 64 << 20)
        let exit = try wait(for: pid)
        var code: Int32 = 0
        if Syscall.retrying({ read(failure[0], &code, MemoryLayout<Int32>.size) }) == MemoryLayout<Int32>.size {
            throw .system("exec \(program)", errno: code)
        }
        guard exit == .exited(0) else { throw OCIError(.system, "\(program) \(arguments.joined(separator: " ")) \(exit.description)") }
        return bytes
    }

    /// The first executable `name` in $PATH.
    static func searchPath(_ name: String) -> String? {
        let path = environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return "" }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static var environment: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
            }
            cursor += 1
        }
        return result
    }
}
