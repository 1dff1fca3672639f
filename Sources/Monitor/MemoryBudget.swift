import CMewzABI

/// How much host memory a guest gets: guest RAM (slot 0: kernel, stack, page tables, the
/// guest's page pool) and the linear-memory slot (memory.grow returns -1 beyond it).
///
/// Without a limit the container gets `defaultLimit` (1 GiB), as microVM runtimes give a VM a
/// default size: KVM's per-page bookkeeping of a memory slot is set up when the slot is
/// registered (about 0.4 ms per GiB on a shadow-paging host such as kvm-pvm), so a 4 GiB slot
/// for every module without a declared maximum would double the start-up time. Both slots are
/// lazy mappings (MAP_NORESERVE): only pages the guest touches cost host memory.
///
/// With a container limit L (config.json linux.resources.memory.limit): guest RAM is a quarter
/// of L, at least 32 MiB and at most `ramSize`; the slot gets the rest of L, rounded down to
/// 2 MiB and at most the module's maximum, so guest RAM + linear memory never exceed L (for L of
/// at least 32 MiB). A limit that leaves less than the module's initial memory is refused.
enum MemoryBudget {
    static let minimumRAMSizeUnderLimit: UInt64 = 32 << 20
    /// The limit of a container whose config.json sets none.
    public static let defaultLimit: UInt64 = 1 << 30

    struct Split: Equatable {
        var ramSize: UInt64
        var linearMemorySize: UInt64
    }

    static func split(limit: UInt64?, ramSize: UInt64, minPages: UInt32, maxPages: UInt32) throws(MonitorError) -> Split {
        let moduleMaximum = alignUp(UInt64(maxPages) * MEWZ_WASM_PAGE_SIZE, MEWZ_LARGE_PAGE_SIZE)
        let limit = limit ?? defaultLimit
        let quarter = (limit / 4) & ~(MEWZ_PAGE_SIZE - 1)
        let ram = min(ramSize, max(minimumRAMSizeUnderLimit, quarter))
        let rest = limit > ram ? limit - ram : 0
        let linearMemory = min(moduleMaximum, rest & ~(MEWZ_LARGE_PAGE_SIZE - 1))
        let initial = UInt64(minPages) * MEWZ_WASM_PAGE_SIZE
        guard initial <= linearMemory else {
            throw .memoryLimitTooSmall(limit: limit, linearMemory: linearMemory, initial: initial)
        }
        return Split(ramSize: ram, linearMemorySize: linearMemory)
    }
}
