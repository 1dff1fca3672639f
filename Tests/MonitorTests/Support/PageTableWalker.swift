import CMewzABI
@testable import Monitor

/// Walks page tables built by PageTableBuilder the way the CPU does, from the bytes alone.
struct PageTableWalker {
    struct Translation: Equatable {
        var physical: UInt64
        var writable: Bool
        var executable: Bool
        var pageSize: UInt64
        /// U/S at every level (kvm-pvm needs it; Guest/PVM.md).
        var user = true
        /// The accessed bit at every level, and the leaf's dirty bit.
        var accessed = true
        var dirty = true
    }

    let bytes: [UInt8]

    func entry(tableAddress: UInt64, index: UInt64) -> UInt64? {
        guard tableAddress >= MEWZ_PAGE_TABLE_ADDR else { return nil }
        let offset = Int(tableAddress - MEWZ_PAGE_TABLE_ADDR) + Int(index) * 8
        guard offset + 8 <= bytes.count else { return nil }
        return bytes[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The translation of `virtual`, or nil when any level is not present.
    func translate(_ virtual: UInt64) -> Translation? {
        var table = MEWZ_PAGE_TABLE_ADDR
        var writable = true, executable = true, user = true, accessed = true
        let shifts: [UInt64] = [39, 30, 21, 12]
        for (level, shift) in shifts.enumerated() {
            guard let entry = entry(tableAddress: table, index: (virtual >> shift) & 511),
                  entry & PageTableBuilder.present != 0 else { return nil }
            writable = writable && entry & PageTableBuilder.writable != 0
            executable = executable && entry & PageTableBuilder.noExecute == 0
            user = user && entry & PageTableBuilder.user != 0
            accessed = accessed && entry & PageTableBuilder.accessed != 0
            let frame = entry & PageTableBuilder.addressMask
            let isLeaf = level == 3 || (level == 2 && entry & PageTableBuilder.largePage != 0)
            if isLeaf {
                let size: UInt64 = 1 << shift
                return Translation(physical: (frame & ~(size - 1)) | (virtual & (size - 1)),
                                   writable: writable, executable: executable, pageSize: size, user: user,
                                   accessed: accessed, dirty: entry & PageTableBuilder.dirty != 0)
            }
            table = frame
        }
        return nil
    }
}
