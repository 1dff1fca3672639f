import CShim
import Glibc

extension Runtime {
    public enum RunOutcome: Equatable, Sendable {
        case detached
        case finished(ProcessExit)
    }

    /// `run`: create + start. In the foreground, forwards signals to the container process
    /// while waiting for it, then deletes the container (poststop hooks included) and returns
    /// how it ended.
    public func run(_ options: RunOptions) throws(OCIError) -> RunOutcome {
        let id = options.create.id
        if options.detach {
            try create(options.create, startImmediately: true, foreground: false)
            return .detached
        }
        // Blocked until the container process exists, so no signal is lost or kills us early.
        _ = cshim_block_forwarded_signals()
        let created: (pid: Int32, state: ContainerState, lockFile: FileIdentity)
        do {
            created = try create(options.create, startImmediately: true, foreground: true)
        } catch {
            _ = cshim_restore_signal_mask()
            removeAfterRun(id)
            throw error
        }
        _ = cshim_forward_signals_to(created.pid)
        _ = cshim_unblock_forwarded_signals()
        let exit = try ProcessControl.wait(for: created.pid)
        StartupTrace.mark("runtime-wait")
        removeAfterRun(id, reaped: (created.state, created.lockFile))
        StartupTrace.mark("runtime-remove")
        StartupTrace.report()
        return .finished(exit)
    }

    /// The foreground run's delete: the container has stopped (or create failed after
    /// committing, when poststart failed and killed it). `reaped`: the state create wrote,
    /// whose container process this process has waited for, so it needs neither reading back
    /// nor a look at the process (about 0.08 ms of a run). A directory with another lock file
    /// is another container's: this one was deleted meanwhile (`delete --force`) and the id
    /// used again, and it is left alone.
    private func removeAfterRun(_ id: String, reaped: (state: ContainerState, lockFile: FileIdentity)? = nil) {
        do {
            let directory = try directory(id)
            let lock = try directory.lock()
            defer { withExtendedLifetime(lock) {} }
            if let reaped {
                if lock.file == reaped.lockFile { try destroy(directory, reaped.state) }
                return
            }
            let state = try directory.loadState()
            if directory.status(of: state) != .stopped { try killAndAwait(state, paused: false) }
            try destroy(directory, state)
        } catch where error.kind != .notFound {
            log.error("remove container \(id): \(error.message)")
        } catch {}
    }
}
