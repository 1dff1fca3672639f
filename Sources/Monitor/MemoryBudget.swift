import CMewzABI

/// How much host memory a guest gets: guest RAM (slot 0: kernel, stack, page tables, the
/// guest's page pool) and the most linear memory the monitor will back (memory.grow returns -1
/// beyond it).
///
/// Without a limit, guest RAM is the configured `ramSize` and linear memory may grow to the
/// module's maximum. Linear memory is backed lazily (LinearMemory): KVM's per-page bookkeeping
/// of a slot is set up when the slot is registered (about 0.4 ms per GiB on a shadow-paging host
/// such as kvm-pvm), so only the initial memory is registered at boot and further slots follow
/// as the memory grows. All host memory is MAP_NORESERVE: only pages the guest touches cost.
///
/// With a container limit L (config.json linux.resources.memory.limit): guest RAM is a quarter
/// of L, at least 32 MiB and at most `ramSize`; linear memory gets the rest of L, rounded down
/// to 2 MiB and at most the module's maximum, so guest RAM + linear memory never exceed L (for L
/// of at least 32 MiB). A limit that leaves less than the module's initial memory is refused.
enum MemoryBudget {
    static let minimumRAMSizeUnderLimit: UInt64 = 32 << 20
    struct Split: Equatable {
        var ramSize: UInt64
        var linearMemorySize: UInt64
    }

    static func split(limit: UInt64?, ramSize: UInt64, minPages: UInt32, maxPages: UInt32) throws(MonitorError) -> Split {
        let moduleMaximum = alignUp(UInt64(maxPages) * MEWZ_WASM_PAGE_SIZE, MEWZ_LARGE_PAGE_SIZE)
        let initial = UInt64(minPages) * MEWZ_WASM_PAGE_SIZE
        guard let limit else { return Split(ramSize: ramSize, linearMemorySize: moduleMaximum) }
        let quarter = (limit / 4) & ~(MEWZ_PAGE_SIZE - 1)
        let ram = min(ramSize, max(minimumRAMSizeUnderLimit, quarter))
        let rest = limit > ram ? limit - ram : 0
        let linearMemory = min(moduleMaximum, rest & ~(MEWZ_LARGE_PAGE_SIZE - 1))
        guard initial <= linearMemory else {
            throw .memoryLimitTooSmall(limit: limit, linearMemory: linearMemory, initial: initial)
        }
        return Split(ramSize: ram, linearMemorySize: linearMemory)
    }
}
