import CMewzABI

extension Hypercalls {
    /// MEWZ_HC_EXIT: proc_exit, a Wasm trap, or a CPU exception the guest caught.
    func exit(_ address: UInt64) -> Action {
        withArgument(mewz_hc_exit.self, at: address, name: "exit") { call in
            // What the guest sent is on its way, as a process's written data is when it ends.
            sockets.sendHeld(within: Self.heldSendGrace)
            return Self.termination(of: call)
        }
    }

    /// How long an ending guest's held socket bytes may take to go out.
    static let heldSendGrace: UInt64 = 1_000_000_000

    static func termination(of call: mewz_hc_exit) -> Action {
        switch call.trap {
        case MEWZ_TRAP_NONE.rawValue:
            return .terminate(.exited(Int32(call.status & 0xff)))
        case MEWZ_TRAP_GUEST_FAULT.rawValue:
            let vector = call.detail >> 32, errorCode = call.detail & 0xffff_ffff
            return .terminate(
                .trapped(call.trap),
                report: "mewz-runtime: guest fault: vector \(vector) error 0x\(hex(errorCode)) at rip 0x\(hex(call.rip)) (cr2 0x\(hex(call.addr)))")
        case 1..<MEWZ_TRAP_COUNT.rawValue:
            return .terminate(.trapped(call.trap), report: "wasm trap: \(TrapText.text(call.trap))")
        default:
            return .fail("guest exited with unknown trap \(call.trap)")
        }
    }
}
