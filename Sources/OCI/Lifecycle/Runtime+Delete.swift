import Glibc

extension Runtime {
    /// How long delete waits for a SIGKILLed container process to die (runc: 10 s).
    static let killTimeoutMilliseconds = 10_000

    /// `delete`: stopped → remove; created → SIGKILL, remove; running → refuse unless --force.
    /// With --force an unknown id succeeds.
    public func delete(_ options: DeleteOptions) throws(OCIError) {
        let directory = try directory(options.id)
        let lock: ContainerLock
        let state: ContainerState
        do {
            lock = try directory.lock()
            state = try directory.loadState()
        } catch where error.kind == .notFound {
            if options.force { removeAbandoned(directory) }
            if options.force { return }
            throw error
        }
        defer { withExtendedLifetime(lock) {} }
        let status = directory.status(of: state)
        if status == .running && !options.force {
            throw .cannotDeleteNotStopped(id: options.id, status: status)
        }
        if status != .stopped {
            _ = Glibc.kill(state.pid, SIGKILL)
            guard ProcessControl.awaitDeath(pid: state.pid, startTime: state.pidStartTime,
                                            timeoutMilliseconds: Runtime.killTimeoutMilliseconds) else {
                throw .stillAlive(pid: state.pid)
            }
        }
        try directory.remove()
        log.debug("deleted container \(options.id)")
    }

    /// A directory whose create died before writing state.json (create holds the lock until
    /// it has written it, so holding the lock and finding no state means nobody will).
    private func removeAbandoned(_ directory: ContainerDirectory) {
        guard let lock = try? directory.lock() else { return }
        if !FileIO.exists(directory.statePath) { try? directory.remove() }
        withExtendedLifetime(lock) {}
    }
}
