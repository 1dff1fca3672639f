import Glibc

extension Runtime {
    /// `kill`: signals the container process. The container's only process is the monitor, so
    /// --all signals it too, and only changes the answer for a stopped container (success).
    /// A paused container gets other signals when it is resumed, as a frozen process does.
    public func kill(_ options: KillOptions) throws(OCIError) {
        let directory = try claimedDirectory(options.id)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let state = try directory.loadState()
        let status = directory.status(of: state)
        guard status != .stopped else {
            if options.all { return }
            throw .containerNotRunning
        }
        guard Glibc.kill(state.pid, options.signal) == 0 else {
            if errno == ESRCH { throw .containerNotRunning }
            throw .system("kill \(state.pid)", errno: errno)
        }
        // A frozen task does not die until thawed; runc thaws after SIGKILL too.
        if status == .paused && options.signal == SIGKILL { try state.cgroup?.thaw() }
    }
}
