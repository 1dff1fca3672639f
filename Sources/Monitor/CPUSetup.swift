import CKVM
import CMewzABI
import Glibc

/// The vCPU's state at the guest's first instruction: 64-bit long mode with paging on, flat
/// segments, TR and IDTR from the boot GDT's tables (BootGDT), SSE (and AVX where the host has
/// it) enabled.
enum CPUSetup {
    /// What the guest may use, from KVM_GET_SUPPORTED_CPUID.
    struct Features: Equatable {
        /// MEWZ_CPU_* bits for the boot info.
        var bootFeatures: UInt64
        /// XCR0 to set (x87|SSE|AVX), or nil to leave XSAVE off.
        var xcr0: UInt64?
    }

    static let cr0PE: UInt64 = 1 << 0, cr0MP: UInt64 = 1 << 1, cr0ET: UInt64 = 1 << 4
    static let cr0NE: UInt64 = 1 << 5, cr0WP: UInt64 = 1 << 16, cr0PG: UInt64 = 1 << 31
    static let cr4PAE: UInt64 = 1 << 5, cr4OSFXSR: UInt64 = 1 << 9, cr4OSXMMEXCPT: UInt64 = 1 << 10
    static let cr4OSXSAVE: UInt64 = 1 << 18
    static let eferLME: UInt64 = 1 << 8, eferLMA: UInt64 = 1 << 10, eferNXE: UInt64 = 1 << 11
    static let xcr0AVXState: UInt64 = 0b111  // x87 | SSE | AVX

    static func features(leaf1ECX: UInt32, leaf7EBX: UInt32, xsaveLeafEAX: UInt32, kvmHasXCRs: Bool) -> Features {
        var boot: UInt64 = 0
        if leaf1ECX & (1 << 30) != 0 { boot |= MEWZ_CPU_RDRAND }
        if leaf7EBX & (1 << 18) != 0 { boot |= MEWZ_CPU_RDSEED }
        let xsave = leaf1ECX & (1 << 26) != 0, avx = leaf1ECX & (1 << 28) != 0
        let avxState = UInt64(xsaveLeafEAX) & xcr0AVXState == xcr0AVXState
        return Features(bootFeatures: boot, xcr0: xsave && avx && avxState && kvmHasXCRs ? xcr0AVXState : nil)
    }

    static func features(from table: CPUIDTable, kvmHasXCRs: Bool) -> Features {
        features(leaf1ECX: table.entry(function: 1)?.ecx ?? 0,
                 leaf7EBX: table.entry(function: 7, index: 0)?.ebx ?? 0,
                 xsaveLeafEAX: table.entry(function: 0xd, index: 0)?.eax ?? 0,
                 kvmHasXCRs: kvmHasXCRs)
    }

    /// Long-mode special registers over `reset` (KVM's reset state keeps TR and LDT valid).
    static func specialRegisters(from reset: kvm_sregs, enableXSAVE: Bool) -> kvm_sregs {
        var sregs = reset
        let code = kvm_segment(
            base: 0, limit: 0xffff_ffff, selector: BootGDT.codeSelector, type: 11, present: 1, dpl: 0,
            db: 0, s: 1, l: 1, g: 1, avl: 0, unusable: 0, padding: 0)
        let data = kvm_segment(
            base: 0, limit: 0xffff_ffff, selector: BootGDT.dataSelector, type: 3, present: 1, dpl: 0,
            db: 1, s: 1, l: 0, g: 1, avl: 0, unusable: 0, padding: 0)
        sregs.cs = code
        sregs.ds = data
        sregs.es = data
        sregs.ss = data
        sregs.fs = data
        sregs.gs = data
        sregs.tr = kvm_segment(
            base: MEWZ_TSS_ADDR, limit: BootGDT.tssLimit, selector: BootGDT.tssSelector, type: 11, present: 1,
            dpl: 0, db: 0, s: 0, l: 0, g: 0, avl: 0, unusable: 0, padding: 0)
        sregs.gdt = kvm_dtable(base: MEWZ_GDT_ADDR, limit: BootGDT.limit, padding: (0, 0, 0))
        sregs.idt = kvm_dtable(base: MEWZ_IDT_ADDR, limit: BootGDT.idtLimit, padding: (0, 0, 0))
        sregs.cr0 = cr0PE | cr0MP | cr0ET | cr0NE | cr0WP | cr0PG
        sregs.cr3 = MEWZ_PAGE_TABLE_ADDR
        sregs.cr4 = cr4PAE | cr4OSFXSR | cr4OSXMMEXCPT | (enableXSAVE ? cr4OSXSAVE : 0)
        sregs.efer = eferLME | eferLMA | eferNXE
        return sregs
    }

    static func registers(entry: UInt64, stackTop: UInt64) -> kvm_regs {
        var regs = kvm_regs()
        regs.rip = entry
        regs.rsp = stackTop
        regs.rdi = MEWZ_BOOT_INFO_ADDR
        regs.rflags = 2  // bit 1 is reserved and always set; interrupts off
        return regs
    }

    static func floatingPoint() -> kvm_fpu {
        var fpu = kvm_fpu()
        fpu.fcw = 0x37f
        fpu.mxcsr = 0x1f80
        return fpu
    }

    /// CPUID before SREGS (KVM checks CR4 bits against the guest's CPUID), then XCR0, the FPU
    /// and the general registers.
    static func configure(_ vcpu: KVMVCPU, cpuid: CPUIDTable, features: Features, entry: UInt64,
                          stackTop: UInt64) throws(MonitorError) {
        try vcpu.setCPUID(cpuid)
        let reset = try vcpu.specialRegisters()
        try vcpu.setSpecialRegisters(specialRegisters(from: reset, enableXSAVE: features.xcr0 != nil))
        if let xcr0 = features.xcr0 { try vcpu.setXCR0(xcr0) }
        try vcpu.setFPU(floatingPoint())
        try vcpu.setRegisters(registers(entry: entry, stackTop: stackTop))
    }

    /// The TSC frequency measured against CLOCK_MONOTONIC over about a millisecond, for a
    /// kernel that cannot answer KVM_GET_TSC_KHZ.
    static func calibratedTSCKHz() -> UInt64 {
        let startTime = Syscall.clockNanoseconds(CLOCK_MONOTONIC), startTSC = ckvm_rdtsc()
        var elapsed: UInt64 = 0
        for _ in 0..<1_000_000 where elapsed < 1_000_000 {
            elapsed = Syscall.clockNanoseconds(CLOCK_MONOTONIC) &- startTime
        }
        let ticks = ckvm_rdtsc() &- startTSC
        return elapsed == 0 ? 0 : ticks &* 1_000_000 / elapsed
    }
}
