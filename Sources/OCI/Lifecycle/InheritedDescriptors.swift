import Glibc

/// Descriptors the container process keeps from the caller, as runc passes them: socket
/// activation's LISTEN_FDS (when LISTEN_PID is this process) at 3..., then `--preserve-fds N`
/// after them. They stay open in the monitor at the same numbers, and the guest's
/// environment gets LISTEN_FDS=n and LISTEN_PID=1 as runc sets them.
struct InheritedDescriptors: Equatable {
    var listenFDs: Int32 = 0
    var preservedFDs: Int32 = 0

    var count: Int32 { listenFDs + preservedFDs }

    static func resolve(preserveFDs: Int32, environment: [String: String]) throws(OCIError) -> InheritedDescriptors {
        var result = InheritedDescriptors(preservedFDs: preserveFDs)
        if let text = environment["LISTEN_FDS"], let count = Int32(text), count > 0, count <= 65_536,
           environment["LISTEN_PID"] == String(getpid()) {
            result.listenFDs = count
        }
        for fd in 3..<(3 + result.count) where fcntl(fd, F_GETFD) == -1 {
            throw fd < 3 + result.listenFDs ? .badListenFD(fd) : .badPreservedFD(fd)
        }
        return result
    }

    /// process.env with LISTEN_FDS/LISTEN_PID set for the guest (and none of the caller's).
    func environment(_ env: [String]) -> [String] {
        guard listenFDs > 0 else { return env }
        return env.filter { !$0.hasPrefix("LISTEN_FDS=") && !$0.hasPrefix("LISTEN_PID=") }
            + ["LISTEN_FDS=\(listenFDs)", "LISTEN_PID=1"]
    }
}
