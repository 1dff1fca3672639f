/// kvm-pvm's paravirtual interrupt-flag page (Guest/PVM.md §1, "The VIF page"), registered by
/// the monitor before the first KVM_RUN. Until a CPL0 guest has such a page, kvm-pvm emulates
/// it instruction by instruction; the guest used to register its own (a probe IDT, 51 emulated
/// instructions, a WRMSR exit: about 0.2 ms of every boot here). Registered by the host, the
/// guest runs natively from its first instruction; it sees that as RPL 3 in its CS and skips
/// its own registration (Guest/cpu/pvm.c). If kvm-pvm refuses, the guest still registers its
/// own, as before.
enum PVMInterruptFlag {
    static let msr: UInt32 = 0x4b56_4d10
    /// A host-initiated write needs bit 0 (KPTI mode) or bit 10 in the low 12 flag bits;
    /// bit 10 is the one that changes nothing else.
    static let hostInitiatedFlag: UInt64 = 0x400

    /// Registers GuestLayout.pvmInterruptFlagPage (zero: interrupts stay disabled, which the
    /// guest never changes). Returns whether kvm-pvm took it.
    static func register(_ vcpu: KVMVCPU) throws(MonitorError) -> Bool {
        try vcpu.setMSR(msr, GuestLayout.pvmInterruptFlagPage | hostInitiatedFlag)
    }
}
