import Glibc

extension Runtime {
    /// `kill`: signals the container process. The container's only process is the monitor, so
    /// --all signals it too, and only changes the answer for a stopped container (success).
    public func kill(_ options: KillOptions) throws(OCIError) {
        let directory = try directory(options.id)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let state = try directory.loadState()
        guard directory.status(of: state) != .stopped else {
            if options.all { return }
            throw .containerNotRunning
        }
        guard Glibc.kill(state.pid, options.signal) == 0 else {
            if errno == ESRCH { throw .containerNotRunning }
            throw .system("kill \(state.pid)", errno: errno)
        }
    }
}
