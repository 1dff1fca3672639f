import CMewzABI

/// The slot arithmetic of lazily backed linear memory (no KVM here): [MEWZ_LM_BASE, + backed) is
/// covered by KVM slots firstSlot, firstSlot + 1, ... laid end to end; each new slot at least
/// doubles the backed size (capped at the limit), so a program growing a page at a time costs
/// O(log n) hypercalls and slots.
struct LinearMemorySlots: Equatable {
    /// Slot 0 is guest RAM.
    static let firstSlot: UInt32 = 1
    /// Every slot's size and offset is a multiple of this (the guest maps 2 MiB pages).
    static let granule = MEWZ_LARGE_PAGE_SIZE

    /// A slot to register: guest-physical MEWZ_LM_BASE + offset, `size` bytes, backed by the
    /// reservation's bytes at `offset`.
    struct Slot: Equatable {
        let number: UInt32
        let offset: UInt64
        let size: UInt64
    }

    /// The most bytes that will ever be backed (a multiple of `granule`).
    let limit: UInt64
    /// How many slots linear memory may use (KVM_CAP_NR_MEMSLOTS minus guest RAM's).
    let slotCount: UInt32
    private(set) var backed: UInt64 = 0
    private(set) var slotsUsed: UInt32 = 0

    init(limit: UInt64, slotCount: UInt32) {
        self.limit = limit & ~(Self.granule - 1)
        self.slotCount = slotCount
    }

    /// The least the boot registers. Registering a slot has a fixed cost (about 50 µs here,
    /// against 0.4 ms per GiB), and each later slot also costs a hypercall exit (about 45 µs
    /// on kvm-pvm), so 8 MiB up front is as cheap as 2 MiB and spares small programs any growth
    /// hypercall.
    static let minimumInitialSize: UInt64 = 8 << 20

    /// What the boot registers: the module's initial memory rounded up to `granule`, at least
    /// `minimumInitialSize`, at most the limit.
    static func initialSize(minPages: UInt32, limit: UInt64) -> UInt64 {
        let initial = alignUp(UInt64(minPages) * MEWZ_WASM_PAGE_SIZE, granule)
        return min(limit & ~(granule - 1), max(minimumInitialSize, initial))
    }

    /// The slot that backs at least `wanted` bytes, or nil when they are backed already.
    /// EINVAL beyond the limit, ENOMEM when no slot is left.
    func slot(backing wanted: UInt64) throws(GuestErrno) -> Slot? {
        guard wanted > backed else { return nil }
        guard wanted <= limit else { throw GuestErrno(code: WASIErrno.invalid) }
        guard slotsUsed < slotCount else { throw GuestErrno(code: WASIErrno.noMemory) }
        let size = min(limit, max(alignUp(wanted, Self.granule), backed * 2))
        return Slot(number: Self.firstSlot + slotsUsed, offset: backed, size: size - backed)
    }

    /// Records `slot` as registered; it must be the one `slot(backing:)` returned.
    mutating func commit(_ slot: Slot) {
        backed = slot.offset + slot.size
        slotsUsed += 1
    }
}
