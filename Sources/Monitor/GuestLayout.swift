import CMewzABI

/// Where everything lives in guest RAM. Guest-physical equals guest-virtual (identity map).
///
/// ```
/// 0x0000_0000  page 0               never mapped: a null dereference faults
/// 0x0000_1000  GDT                  MEWZ_GDT_ADDR: null, code64 (0x08), data (0x10)
/// 0x0000_2000  boot info            MEWZ_BOOT_INFO_ADDR: struct mewz_boot_info; RDI points here
/// 0x0000_3000  kvm-pvm flag page    pvmInterruptFlagPage: zero, the monitor's (PVMInterruptFlag)
/// 0x0000_4000  hypercall ring       MEWZ_RING_ADDR: struct mewz_ring (HypercallRing)
/// 0x0000_5000  outbox               MEWZ_OUTBOX_ADDR: struct mewz_outbox (Hypercalls+Outbox)
/// 0x0001_0000  page tables          MEWZ_PAGE_TABLE_ADDR..MEWZ_PAGE_TABLE_END, PML4 first
/// 0x0010_0000  image                MEWZ_IMAGE_ADDR: the ELF's PT_LOAD segments, W^X by segment
/// imageEnd     arguments            argc NUL-terminated strings (page-aligned start)
///              environment          envc NUL-terminated "KEY=VALUE" strings, right after
///              working directory    process.cwd, NUL-terminated, right after
///              guard page           not present: a stack overflow faults here
/// stackBottom  stack                stackSize bytes; RSP starts at stackTop
/// stackTop     free pages           the guest's page allocator, up to ramSize
/// 4 GiB        linear memory        MEWZ_LM_BASE: its own slots (LinearMemory), mapped by the guest as it grows
/// 16 GiB       read-only filesystem MEWZ_ROFS_BASE: its own read-only slot, mapped R NX (ROFSMapping)
/// ```
struct GuestLayout: Equatable {
    /// The guest's page allocator gets at least this much (page tables for linear memory).
    static let minimumFreeBytes: UInt64 = 1 << 20
    /// Page 0 is left out so a null dereference faults; 2 MiB is the smallest useful RAM.
    static let minimumRAMSize: UInt64 = MEWZ_LARGE_PAGE_SIZE * 2
    /// kvm-pvm's interrupt-flag page when the monitor registers it; the guest has no pointer
    /// to it and nothing else is placed there.
    static let pvmInterruptFlagPage: UInt64 = 0x3000

    let ramSize: UInt64
    let imageEnd: UInt64
    let argumentsAddress: UInt64
    let argumentsSize: UInt64
    let environmentAddress: UInt64
    let environmentSize: UInt64
    let workingDirectoryAddress: UInt64
    let workingDirectorySize: UInt64
    let guardPage: UInt64
    let stackBottom: UInt64
    let stackTop: UInt64
    let freeStart: UInt64
    let freeEnd: UInt64

    /// Lays out the areas after an image ending at `imageEnd` (page aligned, inside RAM).
    init(ramSize: UInt64, imageEnd: UInt64, argumentsSize: UInt64, environmentSize: UInt64,
         workingDirectorySize: UInt64 = 0, stackSize: UInt64) throws(MonitorError) {
        try Self.validate(ramSize: ramSize, stackSize: stackSize)
        let page = MEWZ_PAGE_SIZE
        guard imageEnd % page == 0, imageEnd >= MEWZ_IMAGE_ADDR, imageEnd <= ramSize else { throw .ramTooSmall }

        // Each step is checked against ramSize (< 4 GiB) before the next, so sums stay small.
        let environmentAddress = try Self.advance(imageEnd, by: argumentsSize, within: ramSize)
        let workingDirectoryAddress = try Self.advance(environmentAddress, by: environmentSize, within: ramSize)
        let argumentsEnd = try Self.advance(workingDirectoryAddress, by: workingDirectorySize, within: ramSize)
        let guardPage = try Self.advance(alignUp(argumentsEnd, page), by: 0, within: ramSize)
        let stackBottom = try Self.advance(guardPage, by: page, within: ramSize)
        let stackTop = try Self.advance(stackBottom, by: stackSize, within: ramSize)
        _ = try Self.advance(stackTop, by: Self.minimumFreeBytes, within: ramSize)

        self.ramSize = ramSize
        self.imageEnd = imageEnd
        self.argumentsAddress = imageEnd
        self.argumentsSize = argumentsSize
        self.environmentAddress = environmentAddress
        self.environmentSize = environmentSize
        self.workingDirectoryAddress = workingDirectoryAddress
        self.workingDirectorySize = workingDirectorySize
        self.guardPage = guardPage
        self.stackBottom = stackBottom
        self.stackTop = stackTop
        self.freeStart = stackTop
        self.freeEnd = ramSize
    }

    static func validate(ramSize: UInt64, stackSize: UInt64) throws(MonitorError) {
        guard ramSize % MEWZ_PAGE_SIZE == 0, ramSize >= minimumRAMSize, ramSize <= MEWZ_LM_BASE else {
            throw .badConfiguration(
                "RAM size \(ramSize) must be a multiple of 4 KiB in [\(minimumRAMSize >> 20) MiB, 4 GiB]")
        }
        guard stackSize % MEWZ_PAGE_SIZE == 0, stackSize > 0 else {
            throw .badConfiguration("stack size \(stackSize) must be a non-zero multiple of 4 KiB")
        }
    }

    /// `address + length`, or ramTooSmall when that passes `limit`.
    private static func advance(_ address: UInt64, by length: UInt64, within limit: UInt64) throws(MonitorError) -> UInt64 {
        guard ELFImage.fits(address, length, in: limit) else { throw .ramTooSmall }
        return address + length
    }

    /// Guest pages nearly every boot writes before its first exit, which the monitor backs
    /// before the guest runs: the stack's top group of eight pages, and the two free pages after
    /// the stack (where the guest's first page tables go). Under shadow paging (kvm-pvm) the
    /// first touch of a page is a fault of about 12 µs; when the host has a page mapped
    /// writable, KVM also maps the others of its aligned group of eight at that fault, so a
    /// backed group costs one fault instead of one for each page (README, "The guest's small
    /// variables share two pages").
    var pagesWrittenAtBoot: Range<UInt64> {
        let group = 8 * MEWZ_PAGE_SIZE
        let groupStart = (stackTop - MEWZ_PAGE_SIZE) & ~(group - 1)
        return max(groupStart, stackBottom)..<min(max(groupStart + group, stackTop + 2 * MEWZ_PAGE_SIZE), ramSize)
    }

    /// The pages the guest sees and how, for the page-table builder. Everything else in RAM
    /// (page 0, holes in the image, the guard page) is not present.
    func mappings(image: ELFImage) -> [PageTableBuilder.Mapping] {
        let page = MEWZ_PAGE_SIZE
        var mappings: [PageTableBuilder.Mapping] = [
            .init(start: page, end: MEWZ_IMAGE_ADDR, writable: true, executable: false),
        ]
        for segment in image.segments {
            mappings.append(.init(
                start: segment.address & ~(page - 1), end: alignUp(segment.end, page),
                writable: segment.writable, executable: segment.executable))
        }
        mappings.append(.init(start: argumentsAddress, end: guardPage, writable: true, executable: false))
        mappings.append(.init(start: stackBottom, end: ramSize, writable: true, executable: false))
        return mappings
    }
}
