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
