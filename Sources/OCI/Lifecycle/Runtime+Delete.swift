import Glibc

extension Runtime {
    /// How long delete waits for a SIGKILLed container process to die (runc: 10 s).
    static let killTimeoutMilliseconds = 10_000

    /// `delete`: stopped → remove; created → SIGKILL, remove; running or paused → refuse
    /// unless --force. With --force an unknown id succeeds.
    public func delete(_ options: DeleteOptions) throws(OCIError) {
        let directory = try claimedDirectory(options.id)
        let lock: ContainerLock
        do {
            lock = try directory.lock()
        } catch where error.kind == .notFound {
            if options.force { return }
            throw error
        }
        defer { withExtendedLifetime(lock) {} }
        let state: ContainerState
        do {
            state = try directory.loadState()
        } catch where error.kind == .notFound {
            guard options.force else { throw error }
            // The lock held and no state: the create died before writing it (it holds the
            // lock until it has), so nobody will. Removed under this same lock: taking it
            // again through another open would wait on this process's own lock for ever.
            if !FileIO.exists(directory.statePath) { try? directory.remove() }
            return
        }
        let status = directory.status(of: state)
        if (status == .running || status == .paused) && !options.force {
            throw .cannotDeleteNotStopped(id: options.id, status: status)
        }
        if status != .stopped {
            try killAndAwait(state, paused: status == .paused)
        }
        try destroy(directory, state)
        log.debug("deleted container \(options.id)")
    }

    /// SIGKILL, thawing a frozen cgroup so the signal is delivered, and wait for the death.
    func killAndAwait(_ state: ContainerState, paused: Bool) throws(OCIError) {
        _ = Glibc.kill(state.pid, SIGKILL)
        if paused { try state.cgroup?.thaw() }
        guard ProcessControl.awaitDeath(pid: state.pid, startTime: state.pidStartTime,
                                        timeoutMilliseconds: Runtime.killTimeoutMilliseconds) else {
            throw .stillAlive(pid: state.pid)
        }
    }

    /// Removes everything a stopped container has (cgroup, state directory), then runs the
    /// poststop hooks. A failing hook fails the command with the container already gone (runc).
    func destroy(_ directory: ContainerDirectory, _ state: ContainerState) throws(OCIError) {
        try state.cgroup?.remove()
        try directory.remove()
        try HookRunner(point: .poststop, state: state.hookStateJSON(status: "stopped", pid: nil))
            .run(state.hooks.poststop)
    }

}
