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
        let pid: Int32
        do {
            pid = try create(options.create, startImmediately: true, foreground: true)
        } catch {
            _ = cshim_restore_signal_mask()
            removeAfterRun(id)
            throw error
        }
        _ = cshim_forward_signals_to(pid)
        _ = cshim_unblock_forwarded_signals()
        let exit = try ProcessControl.wait(for: pid)
        StartupTrace.mark("runtime-wait")
        removeAfterRun(id)
        StartupTrace.mark("runtime-remove")
        StartupTrace.report()
        return .finished(exit)
    }

    /// The foreground run's delete: the container has stopped (or create failed after
    /// committing, when poststart failed and killed it).
    private func removeAfterRun(_ id: String) {
        do {
            let directory = try directory(id)
            let lock = try directory.lock()
            defer { withExtendedLifetime(lock) {} }
            let state = try directory.loadState()
            if directory.status(of: state) != .stopped { try killAndAwait(state, paused: false) }
            try destroy(directory, state)
        } catch where error.kind != .notFound {
            log.error("remove container \(id): \(error.message)")
        } catch {}
    }
}
