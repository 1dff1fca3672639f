import CMewzABI
import Glibc

/// VM exits by kind for `hack/bench http`: with MEWZ_EXIT_COUNT set in the monitor's
/// environment, run() ends by printing one "mewz-exits: total N hypercalls N other N" line and
/// one "mewz-exits: hypercall <number> N" line per hypercall used, to the guest's stderr. The
/// counts live in a fixed array: nothing is allocated once confined. The total is counted
/// either way (the boot trace's first exit and its exit count read it); off, the per-hypercall
/// counts cost a branch.
struct ExitCounter {
    static let environmentVariable = "MEWZ_EXIT_COUNT"
    static var requestedByEnvironment: Bool { getenv(environmentVariable) != nil }

    let enabled: Bool
    private(set) var total: UInt64 = 0
    /// Up to the filesystem family's last number (MEWZ_HC_FS).
    private(set) var byHypercall = [UInt64](repeating: 0, count: Int(MEWZ_HC_FS_LAST.rawValue) + 1)

    init(enabled: Bool) { self.enabled = enabled }

    mutating func record(_ exit: VMExit) {
        total += 1
        guard enabled else { return }
        if case .portAccess(let access) = exit, access.port >= UInt16(MEWZ_HC_PORT_BASE) {
            let number = Int(access.port - UInt16(MEWZ_HC_PORT_BASE))
            if number < byHypercall.count { byHypercall[number] += 1 }
        }
    }

    var report: String {
        let hypercalls = byHypercall.reduce(0, +)
        var lines = "mewz-exits: total \(total) hypercalls \(hypercalls) other \(total - hypercalls)\n"
        for (number, count) in byHypercall.enumerated() where count > 0 {
            lines += "mewz-exits: hypercall \(number) \(count)\n"
        }
        return lines
    }
}
