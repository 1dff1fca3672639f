/// Why KVM_RUN returned, decoded from struct kvm_run. Exits that end the VM carry the guest's
/// rip for the report.
enum VMExit: Equatable {
    struct PortAccess: Equatable {
        var port: UInt16
        var isOut: Bool
        /// Bytes per element: 1, 2 or 4.
        var size: UInt8
        /// Elements (more than one for rep ins/outs).
        var count: UInt32
        /// The first element written by an OUT, zero-extended; 0 for an IN.
        var value: UInt32
    }

    case portAccess(PortAccess)
    /// HLT. The VM has no interrupt sources (no irqchip, nothing injected), so nothing can
    /// wake the guest whatever its IF; waiting is MEWZ_HC_POLL's job.
    case halt(rip: UInt64, interruptsEnabled: Bool)
    case shutdown(rip: UInt64)
    case failEntry(hardwareReason: UInt64, rip: UInt64)
    case internalError(suberror: UInt32, rip: UInt64)
    case mmio(address: UInt64, length: UInt32, isWrite: Bool, rip: UInt64)
    /// KVM_RUN returned EINTR: a signal arrived, or immediate_exit was set.
    case interrupted
    /// KVM_RUN failed with another errno.
    case runFailed(Errno)
    case unknown(reason: UInt32, rip: UInt64)
}
