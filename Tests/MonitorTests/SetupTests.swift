import CKVM
import CMewzABI
import Glibc
import Testing
@testable import Monitor

struct CPUSetupTests {
    @Test func longModeSpecialRegisters() {
        let sregs = CPUSetup.specialRegisters(from: kvm_sregs(), enableXSAVE: false)
        #expect(sregs.cr0 == 0x8001_0033)  // PG | WP | NE | ET | MP | PE
        #expect(sregs.cr3 == MEWZ_PAGE_TABLE_ADDR)
        #expect(sregs.cr4 == 0x620)  // OSXMMEXCPT | OSFXSR | PAE
        #expect(sregs.efer == 0xd00)  // NXE | LMA | LME
        #expect(sregs.cs.selector == 0x08 && sregs.cs.l == 1 && sregs.cs.db == 0 && sregs.cs.type == 11)
        for segment in [sregs.ds, sregs.es, sregs.ss, sregs.fs, sregs.gs] {
            #expect(segment.selector == 0x10 && segment.type == 3 && segment.db == 1 && segment.present == 1)
        }
        #expect(sregs.gdt.base == MEWZ_GDT_ADDR && sregs.gdt.limit == 39)
        #expect(sregs.tr.base == MEWZ_TSS_ADDR && sregs.tr.limit == 0x67 && sregs.tr.selector == 0x18)
        #expect(sregs.tr.type == 11 && sregs.tr.present == 1 && sregs.tr.s == 0)
        #expect(sregs.idt.base == MEWZ_IDT_ADDR && sregs.idt.limit == 32 * 16 - 1)
        #expect(CPUSetup.specialRegisters(from: kvm_sregs(), enableXSAVE: true).cr4 == 0x40620)
    }

    @Test func gdtEntriesMatchTheSegments() {
        let bytes = BootGDT.bytes
        #expect(bytes.count == 40)
        #expect(bytes[0..<8].allSatisfy { $0 == 0 })
        #expect(Array(bytes[8..<16]) == [0xff, 0xff, 0, 0, 0, 0x9a, 0xaf, 0])
        #expect(Array(bytes[16..<24]) == [0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0])
        // TSS at 0x1080, limit 0x67, present busy 64-bit TSS; the upper base half 0.
        #expect(Array(bytes[24..<32]) == [0x67, 0, 0x80, 0x10, 0, 0x8b, 0, 0])
        #expect(bytes[32..<40].allSatisfy { $0 == 0 })
        // The TSS and the IDT share the GDT's page and do not overlap it or each other.
        #expect(MEWZ_GDT_ADDR + UInt64(bytes.count) <= MEWZ_TSS_ADDR)
        #expect(MEWZ_TSS_ADDR + 0x68 <= MEWZ_IDT_ADDR)
        #expect(MEWZ_IDT_ADDR + UInt64(BootGDT.idtLimit) < MEWZ_GDT_ADDR + MEWZ_PAGE_SIZE)
    }

    @Test func generalRegistersAndFPU() {
        let regs = CPUSetup.registers(entry: 0x100040, stackTop: 0x900000)
        #expect(regs.rip == 0x100040 && regs.rsp == 0x900000 && regs.rdi == MEWZ_BOOT_INFO_ADDR && regs.rflags == 2)
        let fpu = CPUSetup.floatingPoint()
        #expect(fpu.fcw == 0x37f && fpu.mxcsr == 0x1f80)
    }

    static let featureCases: [(UInt32, UInt32, UInt32, Bool, UInt64, UInt64?)] = [
        // leaf 1 ECX, leaf 7 EBX, leaf 0xD EAX, KVM has XCRS -> boot features, XCR0
        (0, 0, 0, true, 0, nil),
        (1 << 30, 0, 0, true, MEWZ_CPU_RDRAND, nil),
        (0, 1 << 18, 0, true, MEWZ_CPU_RDSEED, nil),
        (1 << 26 | 1 << 28, 0, 0xe7, true, 0, 7),
        (1 << 26 | 1 << 28, 0, 0xe7, false, 0, nil),
        (1 << 26, 0, 0xe7, true, 0, nil),
        (1 << 26 | 1 << 28, 0, 0x3, true, 0, nil),
    ]

    @Test(arguments: featureCases)
    func featuresFollowCPUID(ecx: UInt32, ebx: UInt32, xsave: UInt32, xcrs: Bool, boot: UInt64, xcr0: UInt64?) {
        let features = CPUSetup.features(leaf1ECX: ecx, leaf7EBX: ebx, xsaveLeafEAX: xsave, kvmHasXCRs: xcrs)
        #expect(features == .init(bootFeatures: boot, xcr0: xcr0))
    }
}

struct BootInfoTests {
    @Test func blobsAreNULTerminatedStrings() {
        #expect(BootInfo.blob([]) == [])
        #expect(BootInfo.blob(["a", "", "bé"]) == [0x61, 0, 0, 0x62, 0xc3, 0xa9, 0])
        #expect(BootInfo.blob(["a\u{0}b"]) == nil)
    }

    @Test func bootInfoDescribesTheLayout() throws {
        let layout = try GuestLayout(ramSize: 64 << 20, imageEnd: 0x104000, argumentsSize: 8, environmentSize: 4, stackSize: 1 << 20)
        let info = BootInfo.make(layout: layout, argumentCount: 2, environmentCount: 1, linearMemoryBacked: 2 << 20, linearMemoryLimit: 8 << 20,
                                 cpuFeatures: MEWZ_CPU_RDRAND, tscKHz: 2_000_000)
        #expect(info.magic == MEWZ_BOOT_MAGIC && info.abi_version == UInt32(MEWZ_ABI_VERSION))
        #expect(info.ram_size == 64 << 20 && info.free_start == layout.stackTop && info.free_end == 64 << 20)
        #expect(info.stack_bottom == layout.stackBottom && info.stack_top == layout.stackTop)
        #expect(info.argv_addr == 0x104000 && info.argv_size == 8 && info.argc == 2)
        #expect(info.env_addr == 0x104008 && info.env_size == 4 && info.envc == 1)
        #expect(info.lm_backed_size == 2 << 20 && info.lm_limit_size == 8 << 20 && info.tsc_khz == 2_000_000 && info.cpu_features == MEWZ_CPU_RDRAND)
        #expect(info.boot_realtime_ns == 0 && info.boot_monotonic_ns == 0)
        #expect(BootInfo.bytes(of: info).count == MemoryLayout<mewz_boot_info>.size)
        #expect(MemoryLayout<mewz_boot_info>.size <= Int(MEWZ_PAGE_SIZE))
    }
}

struct TerminationTests {
    static let statuses: [(Termination, Int32)] = [
        (.exited(0), 0), (.exited(255), 255), (.trapped(1), 134), (.trapped(11), 134),
        (.failed("x"), 1), (.signaled(SIGTERM), 128 + SIGTERM), (.signaled(SIGINT), 130),
    ]

    @Test(arguments: statuses)
    func exitStatus(termination: Termination, status: Int32) {
        #expect(termination.exitStatus == status)
    }

    static let texts: [(UInt32, String)] = [
        (1, "unreachable"), (2, "out of bounds memory access"), (3, "integer divide by zero"), (4, "integer overflow"),
        (5, "invalid conversion to integer"), (6, "indirect call type mismatch"), (7, "undefined element"),
        (8, "uninitialized element"), (9, "out of bounds table access"), (10, "call stack exhausted"),
        (11, "guest fault"), (12, "unknown trap 12"),
    ]

    @Test(arguments: texts)
    func trapTexts(trap: UInt32, text: String) {
        #expect(TrapText.text(trap) == text)
    }
}

struct MonitorErrorTests {
    static let opens: [(Int32, MonitorError.Kind, String)] = [
        (ENOENT, .kvmUnavailable, "/dev/kvm: No such file or directory (is KVM enabled? mewz-runtime needs /dev/kvm)"),
        (EACCES, .kvmPermissionDenied, "/dev/kvm: Permission denied (run as root or add the user to the kvm group)"),
        (EBUSY, .kvmUnavailable, "/dev/kvm: Device or resource busy"),
    ]

    @Test(arguments: opens)
    func openFailuresSayWhatToDo(code: Int32, kind: MonitorError.Kind, message: String) {
        let error = MonitorError.kvmOpen(Errno(code: code))
        #expect(error.kind == kind && error.description == message)
    }

    @Test func namedErrors() {
        #expect(MonitorError.kvmAPIVersion(11).description == "/dev/kvm: KVM API version 11, need 12")
        #expect(MonitorError.ramTooSmall.description == "guest RAM too small for the image")
        #expect(MonitorError.badImage(.notELF).description == "bad image ELF: no ELF magic")
    }

    @Test func badImagesAndConfigurationsFailBeforeKVM() {
        let garbage: [UInt8] = Array(repeating: 0x41, count: 100)
        let configuration = VMConfiguration(arguments: ["x"], environment: [], linearMemoryMaxPages: 1)
        #expect(throws: MonitorError.badImage(.notELF)) {
            try garbage.withUnsafeBytes { _ = try VirtualMachine(elf: $0, configuration: configuration) }
        }
        var nul = configuration
        nul.arguments = ["a\u{0}"]
        #expect(throws: MonitorError.badConfiguration("an argument holds a NUL byte")) {
            try garbage.withUnsafeBytes { _ = try VirtualMachine(elf: $0, configuration: nul) }
        }
        var pages = configuration
        pages.linearMemoryMaxPages = 65537
        #expect(throws: MonitorError.badConfiguration("linear memory of 65537 pages (at most 65536)")) {
            try garbage.withUnsafeBytes { _ = try VirtualMachine(elf: $0, configuration: pages) }
        }
    }
}
