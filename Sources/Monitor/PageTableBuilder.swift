import CMewzABI

/// Builds the boot page tables into a plain byte buffer that the monitor copies to
/// MEWZ_PAGE_TABLE_ADDR: one PML4, one PDPT (RAM is below 4 GiB), one page directory per GiB of
/// RAM, and a 4 KiB page table only for a 2 MiB region whose pages differ (page 0, the guard
/// page, segment boundaries); every other region is one 2 MiB page. The linear-memory window
/// is left empty for the guest to fill.
struct PageTableBuilder {
    /// Pages [start, end) are present with these rights; overlapping mappings add up.
    struct Mapping: Equatable {
        var start: UInt64
        var end: UInt64
        var writable: Bool
        var executable: Bool
    }

    struct Rights: Equatable {
        var writable: Bool
        var executable: Bool
    }

    static let present: UInt64 = 1 << 0
    static let writable: UInt64 = 1 << 1
    /// Set in every present entry at every level: kvm-pvm runs the guest at
    /// hardware CPL3 and livelocks on a supervisor-only entry (Guest/PVM.md);
    /// on VMX/SVM it changes nothing while CR4.SMEP/SMAP stay off.
    static let user: UInt64 = 1 << 2
    /// Accessed (in every entry the monitor writes) and dirty (in every writable leaf), as the
    /// CPU would set them on first use: under shadow paging (kvm-pvm) KVM maps a page whose
    /// guest entry is not yet dirty read-only, and the first write to it takes a second fault
    /// to set the bit.
    static let accessed: UInt64 = 1 << 5
    static let dirty: UInt64 = 1 << 6
    /// A page directory or table entry pointing at the next level.
    static let table: UInt64 = present | user | writable | accessed
    static let largePage: UInt64 = 1 << 7
    static let noExecute: UInt64 = 1 << 63
    static let addressMask: UInt64 = 0x000f_ffff_ffff_f000

    static let tableSize = Int(MEWZ_PAGE_SIZE)
    static let maxTables = Int((MEWZ_PAGE_TABLE_END - MEWZ_PAGE_TABLE_ADDR) / MEWZ_PAGE_SIZE)
    static let entriesPerTable = 512

    /// Builds tables for RAM [0, ramSize) (ramSize ≤ 4 GiB) and, when given, a read-only NX
    /// region above it (the ROFS; PageTableBuilder+ReadOnly.swift); throws when they would not
    /// fit in [MEWZ_PAGE_TABLE_ADDR, MEWZ_PAGE_TABLE_END).
    static func build(ramSize: UInt64, mappings: [Mapping], readOnly: ReadOnlyRegion? = nil) throws(MonitorError) -> [UInt8] {
        var tables = TableBuffer()
        let pml4 = tables.allocate()
        let pdpt = tables.allocate()
        tables.set(table: pml4, index: 0, entry: tables.address(of: pdpt) | Self.table)

        let regionSize = MEWZ_LARGE_PAGE_SIZE
        let regionCount = Int((ramSize + regionSize - 1) / regionSize)
        var directory = -1
        for region in 0..<regionCount {
            let gib = region / entriesPerTable
            if region % entriesPerTable == 0 {
                directory = tables.allocate()
                tables.set(table: pdpt, index: gib, entry: tables.address(of: directory) | Self.table)
            }
            let regionStart = UInt64(region) * regionSize
            let directoryIndex = region % entriesPerTable
            if let uniform = uniformRights(ofRegionAt: regionStart, ramSize: ramSize, mappings: mappings) {
                tables.set(table: directory, index: directoryIndex,
                           entry: regionStart | present | user | largePage | bits(uniform))
                continue
            }
            let pages = rights(ofRegionAt: regionStart, ramSize: ramSize, mappings: mappings)
            if let first = pages[0], pages.allSatisfy({ $0 == first }) {
                tables.set(table: directory, index: directoryIndex,
                           entry: regionStart | present | user | largePage | bits(first))
                continue
            }
            guard pages.contains(where: { $0 != nil }) else { continue }
            let table = tables.allocate()
            tables.set(table: directory, index: directoryIndex, entry: tables.address(of: table) | Self.table)
            for (index, page) in pages.enumerated() {
                guard let page else { continue }
                let address = regionStart + UInt64(index) * MEWZ_PAGE_SIZE
                tables.set(table: table, index: index, entry: address | present | user | bits(page))
            }
        }
        if let readOnly { try mapReadOnly(readOnly, pdpt: pdpt, in: &tables) }
        guard tables.count <= maxTables else { throw .pageTablesTooLarge }
        return tables.bytes
    }

    /// The rights of the whole 2 MiB region at `start` when one mapping covers it and every
    /// mapping touching it agrees; nil otherwise (the common case, without a per-page pass).
    static func uniformRights(ofRegionAt start: UInt64, ramSize: UInt64, mappings: [Mapping]) -> Rights? {
        let end = start + MEWZ_LARGE_PAGE_SIZE
        guard end <= ramSize else { return nil }
        var rights: Rights?
        var covered = false
        for mapping in mappings where mapping.start < end && mapping.end > start && mapping.start < mapping.end {
            let these = Rights(writable: mapping.writable, executable: mapping.executable)
            if let rights, rights != these { return nil }
            rights = these
            covered = covered || (mapping.start <= start && mapping.end >= end)
        }
        return covered ? rights : nil
    }

    /// The rights of each 4 KiB page of the 2 MiB region at `start`; nil = not present.
    static func rights(ofRegionAt start: UInt64, ramSize: UInt64, mappings: [Mapping]) -> [Rights?] {
        let end = start + MEWZ_LARGE_PAGE_SIZE
        let touching = mappings.filter { $0.start < end && $0.end > start && $0.start < $0.end }
        var pages = [Rights?](repeating: nil, count: entriesPerTable)
        for mapping in touching {
            let first = max(mapping.start, start), last = min(mapping.end, end, ramSize)
            guard first < last else { continue }
            let firstIndex = Int((first - start) / MEWZ_PAGE_SIZE)
            let lastIndex = Int((last - start + MEWZ_PAGE_SIZE - 1) / MEWZ_PAGE_SIZE)
            for index in firstIndex..<lastIndex {
                let old = pages[index]
                pages[index] = Rights(writable: mapping.writable || old?.writable == true,
                                      executable: mapping.executable || old?.executable == true)
            }
        }
        return pages
    }

    static func bits(_ rights: Rights) -> UInt64 {
        accessed | (rights.writable ? writable | dirty : 0) | (rights.executable ? 0 : noExecute)
    }
}

/// Page-sized tables back to back, addressed as they will be at MEWZ_PAGE_TABLE_ADDR.
struct TableBuffer {
    private var entries: [UInt64] = []

    var count: Int { entries.count / PageTableBuilder.entriesPerTable }

    /// The tables as little-endian bytes. A closure, not a key path: `map(\.littleEndian)`
    /// projects each of the thousands of entries through the key-path runtime (0.15 ms a boot).
    var bytes: [UInt8] {
        entries.map { $0.littleEndian }.withUnsafeBytes { Array($0) }
    }

    mutating func allocate() -> Int {
        entries.append(contentsOf: repeatElement(0, count: PageTableBuilder.entriesPerTable))
        return count - 1
    }

    func address(of table: Int) -> UInt64 {
        MEWZ_PAGE_TABLE_ADDR + UInt64(table * PageTableBuilder.tableSize)
    }

    mutating func set(table: Int, index: Int, entry: UInt64) {
        entries[table * PageTableBuilder.entriesPerTable + index] = entry
    }
}
