extension Runtime {
    /// `pause`: freezes the monitor's cgroup, which stops the vCPU where it is (runc's
    /// "container not running" when it is not running).
    public func pause(id: String) throws(OCIError) {
        let directory = try claimedDirectory(id)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let state = try directory.loadState()
        switch directory.status(of: state) {
        case .running, .created: break
        case .paused: return
        case .stopped: throw .containerNotRunning
        }
        guard let cgroup = state.cgroup else { throw .noFreezer }
        try cgroup.freeze()
        log.debug("paused container \(id)")
    }

    /// `resume`: thaws a paused container ("container not paused" otherwise, as runc).
    public func resume(id: String) throws(OCIError) {
        let directory = try claimedDirectory(id)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let state = try directory.loadState()
        guard directory.status(of: state) == .paused, let cgroup = state.cgroup else { throw .containerNotPaused }
        try cgroup.thaw()
        log.debug("resumed container \(id)")
    }
}
