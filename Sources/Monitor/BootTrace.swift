import Glibc

/// Start-up phase timestamps for `hack/bench boot`: with `VMConfiguration.tracesBoot` (on when
/// MEWZ_BOOT_TRACE is set in the monitor's environment), run() ends by printing one "mewz-boot: <phase> <ms>" line per phase to the
/// guest's stderr, each the CLOCK_MONOTONIC time since the previous mark. Off, it costs a
/// branch per mark.
public struct BootTrace {
    static let environmentVariable = "MEWZ_BOOT_TRACE"

    let enabled: Bool
    private(set) var marks: [(phase: String, nanoseconds: UInt64)] = []
    private var last: UInt64

    static var requestedByEnvironment: Bool { getenv(environmentVariable) != nil }

    init(enabled: Bool) {
        self.enabled = enabled
        last = enabled ? Syscall.clockNanoseconds(CLOCK_MONOTONIC) : 0
        if enabled { marks.reserveCapacity(16) }  // no allocation once confined
    }

    /// Ends the phase called `phase` now.
    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = Syscall.clockNanoseconds(CLOCK_MONOTONIC)
        marks.append((phase, now &- last))
        last = now
    }

    /// Restarts the clock without a phase (time spent outside the monitor, e.g. waiting for
    /// `start`).
    mutating func skip() {
        if enabled { last = Syscall.clockNanoseconds(CLOCK_MONOTONIC) }
    }

    /// The report lines, e.g. "mewz-boot: vm-create 0.412 ms\n".
    var report: String {
        marks.map { Self.line(phase: $0.phase, nanoseconds: $0.nanoseconds) }.joined()
    }

    /// One report line, as `hack/bench boot` reads it (the runtime's StartupTrace writes the same).
    public static func line(phase: String, nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1000
        let fraction = String(micros % 1000)
        return "mewz-boot: \(phase) \(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) ms\n"
    }
}
