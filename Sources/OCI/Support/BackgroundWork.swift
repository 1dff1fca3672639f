import Glibc

/// Work done on a thread of its own while the caller goes on; `wait()` joins the thread and
/// returns the work's value or throws its error. The runtime forks its container process, which
/// runs Swift code and execs nothing: every BackgroundWork must be waited for before a fork, so
/// that the fork is made from a single thread. Made, waited for and dropped on one thread.
final class BackgroundWork<Value>: @unchecked Sendable {
    private var thread = pthread_t()
    private var joined = false
    /// Shared with the thread, which never holds `self`: the last release, and so the join in
    /// `deinit`, is always the owner's.
    private let box: OutcomeBox<Value>

    /// Starts `body` on a new thread; if no thread can be made, runs it here and now.
    init(_ body: @escaping () throws(OCIError) -> Value) {
        let box = OutcomeBox<Value>()
        self.box = box
        let entry = ThreadEntry { box.outcome = Result { () throws(OCIError) in try body() } }
        let context = Unmanaged.passRetained(entry).toOpaque()
        let status = pthread_create(&thread, nil, { context in
            Unmanaged<ThreadEntry>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        if status == 0 {
            RuntimeThreads.unjoined += 1
        } else {
            Unmanaged<ThreadEntry>.fromOpaque(context).release()
            joined = true
            entry.run()
        }
    }

    /// The work's value, once its thread has ended; the same outcome again on later calls.
    func wait() throws(OCIError) -> Value {
        join()
        // Set by the thread before it ended (or inline): joined means there is one.
        return try box.outcome!.get()
    }

    private func join() {
        guard !joined else { return }
        pthread_join(thread, nil)
        joined = true
        RuntimeThreads.unjoined -= 1
    }

    deinit { join() }
}

/// The runtime process's own threads. It starts threads only through BackgroundWork, so at
/// zero it is single-threaded again, which glibc cannot tell (MonitorLaunch's fork).
enum RuntimeThreads {
    nonisolated(unsafe) static var unjoined = 0
}

private final class OutcomeBox<Value>: @unchecked Sendable {
    var outcome: Result<Value, OCIError>?
}

private final class ThreadEntry {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
