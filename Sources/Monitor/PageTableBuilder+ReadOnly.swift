import CMewzABI

extension PageTableBuilder {
    /// A region mapped present, read-only, NX and user (the ROFS at MEWZ_ROFS_BASE): 2 MiB
    /// pages for every whole 2 MiB, 4 KiB pages for the tail.
    struct ReadOnlyRegion: Equatable {
        /// 1 GiB aligned, above the RAM and linear-memory window, below 512 GiB (PML4 entry 0).
        var base: UInt64
        /// A multiple of 4 KiB.
        var size: UInt64
    }

    static let gibibyte: UInt64 = 1 << 30

    static func mapReadOnly(_ region: ReadOnlyRegion, pdpt: Int, in tables: inout TableBuffer) throws(MonitorError) {
        let (end, overflow) = region.base.addingReportingOverflow(region.size)
        guard region.base % gibibyte == 0, region.size % MEWZ_PAGE_SIZE == 0, !overflow,
              end <= UInt64(entriesPerTable) * gibibyte, region.base >= MEWZ_LM_BASE + MEWZ_LM_WINDOW
        else { throw .badROFS("region 0x\(hex(region.base)) + 0x\(hex(region.size)) cannot be mapped") }
        let leaf = present | user | noExecute | accessed
        var directory = -1
        var address = region.base
        while address < end {
            if address % gibibyte == 0 {
                directory = tables.allocate()
                tables.set(table: pdpt, index: Int(address / gibibyte),
                           entry: tables.address(of: directory) | Self.table)
            }
            let index = Int((address % gibibyte) / MEWZ_LARGE_PAGE_SIZE)
            if end - address >= MEWZ_LARGE_PAGE_SIZE {
                tables.set(table: directory, index: index, entry: address | leaf | largePage)
                address += MEWZ_LARGE_PAGE_SIZE
                continue
            }
            let table = tables.allocate()
            tables.set(table: directory, index: index, entry: tables.address(of: table) | Self.table)
            for page in 0..<Int((end - address) / MEWZ_PAGE_SIZE) {
                tables.set(table: table, index: page, entry: (address + UInt64(page) * MEWZ_PAGE_SIZE) | leaf)
            }
            address = end
        }
    }
}
