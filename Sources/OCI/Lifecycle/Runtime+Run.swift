import CShim
import Glibc

extension Runtime {
    public enum RunOutcome: Equatable, Sendable {
        case detached
        case finished(ProcessExit)
    }

    /// `run`: create + start. In the foreground, forwards signals to the container process
    /// while waiting for it, then removes the container and returns how it ended.
    public func run(_ options: RunOptions) throws(OCIError) -> RunOutcome {
        let id = options.create.id
        if options.detach {
            try create(options.create, startImmediately: true)
            return .detached
        }
        // Blocked until the container process exists, so no signal is lost or kills us early.
        _ = cshim_block_forwarded_signals()
        let pid: Int32
        do {
            pid = try create(options.create, startImmediately: true)
        } catch {
            _ = cshim_restore_signal_mask()
            throw error
        }
        _ = cshim_forward_signals_to(pid)
        _ = cshim_unblock_forwarded_signals()
        let exit = try ProcessControl.wait(for: pid)
        do {
            let directory = try directory(id)
            let lock = try directory.lock()
            try directory.remove()
            withExtendedLifetime(lock) {}
        } catch where error.kind != .notFound {
            log.error("remove container \(id): \(error.message)")
        } catch {}
        return .finished(exit)
    }
}
