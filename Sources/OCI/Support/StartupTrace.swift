import Glibc
import Monitor

/// Start-up phase times of the runtime's side of a `run` or `create`, for `hack/bench boot`
/// (the monitor's own phases are BootTrace's). With MEWZ_BOOT_TRACE set, `report()` prints one
/// "mewz-boot: <phase> <ms> ms" line per phase to stderr, each the CLOCK_MONOTONIC time since
/// the previous mark. Off, a mark costs a branch.
///
/// The container process is forked mid-trace: it starts its own list (`restartInChild`) and
/// its first phase is the fork itself, timed from the parent's last mark.
public enum StartupTrace {
    static let enabled = getenv("MEWZ_BOOT_TRACE") != nil

    // One thread writes these: the runtime's main thread, or the container process before
    // its monitor starts any thread.
    nonisolated(unsafe) private static var marks: [(phase: String, nanoseconds: UInt64)] = []
    nonisolated(unsafe) private static var last: UInt64 = 0

    /// Starts the clock (the runtime's main).
    public static func begin() {
        if enabled { last = Syscall.monotonicNanoseconds() }
    }

    /// Ends the phase called `phase` now.
    public static func mark(_ phase: String) {
        guard enabled else { return }
        let now = Syscall.monotonicNanoseconds()
        marks.append((phase, now &- last))
        last = now
    }

    /// In the forked child: drops the parent's marks, keeps its clock.
    static func restartInChild() {
        if enabled { marks.removeAll() }
    }

    public static func report() {
        guard enabled, !marks.isEmpty else { return }
        let lines = marks.map { BootTrace.line(phase: $0.phase, nanoseconds: $0.nanoseconds) }
        _ = FileIO.writeAll(2, Array(lines.joined().utf8))
        marks.removeAll()
    }
}
