import CMewzABI

/// How a guest run ended.
public enum Termination: Equatable, Sendable {
    /// proc_exit: the guest's status & 0xff.
    case exited(Int32)
    /// A Wasm trap (enum mewz_trap), or MEWZ_TRAP_GUEST_FAULT for a CPU exception the guest
    /// caught; run() has printed the line on the guest's stderr.
    case trapped(UInt32)
    /// The guest broke the ABI (unknown hypercall, bad argument struct, triple fault, halt) or
    /// KVM failed: one line for the caller to print.
    case failed(String)
    /// SIGTERM, SIGINT or SIGHUP reached the monitor; the caller re-raises it with its default
    /// action so its parent sees the wait status a killed process gives.
    case signaled(Int32)

    /// The status a process exit reports: the guest's status; 134 (128 + SIGABRT) for a trap
    /// or guest fault, as abi.h says; 1 for a failure (as runc's fatal); 128 + signal for a
    /// caller that cannot re-raise.
    public var exitStatus: Int32 {
        switch self {
        case .exited(let status): return status
        case .trapped: return Int32(MEWZ_TRAP_EXIT_STATUS)
        case .failed: return 1
        case .signaled(let signal): return 128 + signal
        }
    }
}

/// The spec suite's wording for each trap (abi.h's enum mewz_trap).
public enum TrapText {
    public static func text(_ trap: UInt32) -> String {
        guard let text = mewz_trap_text(trap) else { return "unknown trap \(trap)" }
        return String(cString: text)
    }
}
