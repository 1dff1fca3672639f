import CMewzABI

/// What the vCPU loop does after an exit.
enum Action: Equatable {
    case resume
    /// End the VM; `report` is a line run() prints on the guest's stderr first.
    case terminate(Termination, report: String? = nil)

    static func fail(_ message: String) -> Action { .terminate(.failed(message)) }
}

/// Turns each decoded exit into an action, as Firecracker's handle_kvm_exit does; no KVM here,
/// so it is tested with plain memory and pipes.
struct ExitHandler {
    /// Ports [MEWZ_HC_PORT_BASE, + hypercallPortCount) are hypercalls, valid or not.
    static let hypercallPortCount: UInt16 = 0x100

    let hypercalls: Hypercalls
    /// The termination signal received so far, or 0.
    let pendingSignal: () -> Int32
    /// The hypercall ring's server, when one runs beside the vCPU.
    var ring: HypercallRing? = nil

    func handle(_ exit: VMExit) -> Action {
        switch exit {
        case .portAccess(let access):
            return handlePort(access)
        case .halt(let rip, let interruptsEnabled):
            // A guest that halts waits forever: a hang the container's owner could only kill.
            // End it and say so; a guest waits for time or input through MEWZ_HC_POLL.
            return .fail("guest halted at rip 0x\(hex(rip)) (interrupts \(interruptsEnabled ? "enabled" : "disabled")) and nothing can wake it")
        case .shutdown(let rip):
            return .fail("guest triple fault (shutdown) at rip 0x\(hex(rip))")
        case .failEntry(let reason, let rip):
            return .fail("KVM could not enter the guest: hardware reason 0x\(hex(reason)) at rip 0x\(hex(rip))")
        case .internalError(let suberror, let rip):
            return .fail("KVM internal error \(suberror) at rip 0x\(hex(rip))")
        case .mmio(let address, let length, let isWrite, let rip):
            return .fail("guest \(isWrite ? "wrote" : "read") \(length) bytes at unbacked guest-physical address 0x\(hex(address)) (rip 0x\(hex(rip)))")
        case .interrupted:
            let signal = pendingSignal()
            return signal == 0 ? .resume : .terminate(.signaled(signal))
        case .runFailed(let error):
            return .fail("KVM_RUN: \(error)")
        case .unknown(let reason, let rip):
            return .fail("unexpected KVM exit reason \(reason) at rip 0x\(hex(rip))")
        }
    }

    private func handlePort(_ access: VMExit.PortAccess) -> Action {
        let base = UInt16(MEWZ_HC_PORT_BASE)
        guard access.port >= base, access.port - base < Self.hypercallPortCount else {
            return .fail("guest accessed I/O port 0x\(hex(access.port)), which has no device")
        }
        let number = UInt32(access.port - base)
        guard access.isOut, access.size == 4, access.count == 1 else {
            return .fail("hypercall \(number): not a single 32-bit out (\(access.isOut ? "out" : "in"), \(access.size) bytes x \(access.count))")
        }
        guard let ring else {
            // No server: no guest has reason to wait on the ring.
            if number == MEWZ_HC_RING_WAIT.rawValue { return .resume }
            defer { hypercalls.afterAnswer() }
            return hypercalls.handle(number: number, argument: UInt64(access.value))
        }
        if number == MEWZ_HC_RING_WAIT.rawValue { return ring.waitForAnswer(pendingSignal: pendingSignal) }
        let action = ring.exclusively(pendingSignal: pendingSignal) {
            defer { hypercalls.afterAnswer() }
            return hypercalls.handle(number: number, argument: UInt64(access.value))
        }
        // Calls tend to come in runs: a server that slept serves the next ones.
        if action == .resume { ring.wake() }
        return action
    }
}
