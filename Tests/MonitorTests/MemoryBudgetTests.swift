import Testing
@testable import Monitor

struct MemoryBudgetTests {
    static let mib: UInt64 = 1 << 20
    static let defaultRAM: UInt64 = 256 << 20

    static let splits: [(UInt64?, UInt32, UInt32, UInt64, UInt64)] = [
        // limit, module min pages, max pages -> guest RAM, most linear memory
        (nil, 1, 16, defaultRAM, 2 * mib),  // 1 MiB rounded up to 2 MiB
        (nil, 0, 65536, defaultRAM, 4096 * mib),  // no limit: the module's maximum
        (nil, 0, 0, defaultRAM, 0),
        (1024 * mib, 1, 65536, defaultRAM, 768 * mib),  // a quarter is guest RAM
        (8192 * mib, 1, 65536, defaultRAM, 4096 * mib),  // the module's maximum caps the slot
        (8192 * mib, 1, 16, defaultRAM, 2 * mib),
        (64 * mib, 1, 65536, 32 * mib, 32 * mib),  // guest RAM at least 32 MiB
        (100 * mib, 1, 65536, 32 * mib, 68 * mib),
        (101 * mib, 0, 65536, 32 * mib, 68 * mib),  // the slot rounds down to 2 MiB
        (33 * mib, 0, 65536, 32 * mib, 0),  // no room for linear memory: a module without any runs
    ]

    @Test(arguments: splits)
    func limitSplitsBetweenGuestRAMAndLinearMemory(limit: UInt64?, minPages: UInt32, maxPages: UInt32,
                                                   ram: UInt64, linearMemory: UInt64) throws {
        let split = try MemoryBudget.split(limit: limit, ramSize: Self.defaultRAM, minPages: minPages, maxPages: maxPages)
        #expect(split == .init(ramSize: ram, linearMemorySize: linearMemory))
        if let limit, limit >= MemoryBudget.minimumRAMSizeUnderLimit {
            #expect(split.ramSize + split.linearMemorySize <= limit)
        }
    }

    @Test func smallerConfiguredRAMStaysTheCeiling() throws {
        let split = try MemoryBudget.split(limit: 8192 * Self.mib, ramSize: 16 * Self.mib, minPages: 0, maxPages: 16)
        #expect(split.ramSize == 16 * Self.mib)
    }

    @Test func limitBelowTheModulesInitialMemoryIsRefused() {
        #expect(throws: MonitorError.memoryLimitTooSmall(limit: 40 * Self.mib, linearMemory: 8 * Self.mib, initial: 16 * Self.mib)) {
            try MemoryBudget.split(limit: 40 * Self.mib, ramSize: Self.defaultRAM, minPages: 256, maxPages: 65536)
        }
        let error = MonitorError.memoryLimitTooSmall(limit: 40 * Self.mib, linearMemory: 8 * Self.mib, initial: 16 * Self.mib)
        #expect(error.description == "memory limit of 40 MiB leaves 8 MiB for linear memory, but the module starts with 16 MiB")
    }

    /// Guest RAM is what the guest needs plus its tmpfs mounts, not a fixed 256 MiB.
    @Test func guestRAMIsTheBaseSizePlusEveryTmpfs() {
        let base = VMConfiguration.baseRAMSize
        #expect(base == 64 * Self.mib)
        #expect(VMConfiguration.ramSize(for: []) == base)
        let host = Volume(destination: "/data", backing: .hostDirectory(source: "/srv/data"), readOnly: false)
        #expect(VMConfiguration.ramSize(for: [host]) == base)
        let tmp = Volume(destination: "/tmp", backing: .tmpfs(size: 100 * Self.mib), readOnly: false)
        let cache = Volume(destination: "/cache", backing: .tmpfs(size: 5000), readOnly: false)
        #expect(VMConfiguration.ramSize(for: [tmp, host]) == base + 100 * Self.mib)
        #expect(VMConfiguration.ramSize(for: [tmp, cache]) == base + 100 * Self.mib + 8192)  // whole pages
        let huge = Volume(destination: "/big", backing: .tmpfs(size: .max - 10), readOnly: false)
        #expect(VMConfiguration.ramSize(for: [huge, tmp]) == 4096 * Self.mib)  // at most 4 GiB
    }
}
