import CMewzABI
import Testing
@testable import Monitor

struct PageTableTests {
    /// A typical image: text RX at 1 MiB, rodata R, data RW, then args, guard, stack, free.
    static let ramSize: UInt64 = 256 << 20

    static func build(ramSize: UInt64 = ramSize, stackSize: UInt64 = 8 << 20) throws -> (GuestLayout, PageTableWalker) {
        let image = try TestELF.threeSegments.parse()
        let layout = try GuestLayout(ramSize: ramSize, imageEnd: image.end, argumentsSize: 100,
                                     environmentSize: 50, stackSize: stackSize)
        let bytes = try PageTableBuilder.build(ramSize: ramSize, mappings: layout.mappings(image: image))
        return (layout, PageTableWalker(bytes: bytes))
    }

    @Test func everyMappedAddressIsIdentityMapped() throws {
        let (layout, walker) = try Self.build()
        let addresses = stride(from: MEWZ_PAGE_SIZE + 0x123, to: Self.ramSize, by: 0x1_0000) + [Self.ramSize - 1]
        for address in addresses where address < layout.guardPage || address >= layout.stackBottom {
            #expect(walker.translate(address)?.physical == address, "at 0x\(String(address, radix: 16))")
        }
    }

    @Test func pageZeroTheGuardPageAndEverythingPastRAMAreNotPresent() throws {
        let (layout, walker) = try Self.build()
        #expect(walker.translate(0) == nil)
        #expect(walker.translate(0xfff) == nil)
        #expect(walker.translate(layout.guardPage) == nil)
        #expect(walker.translate(layout.guardPage + 0xfff) == nil)
        #expect(walker.translate(layout.guardPage - 1) != nil)
        #expect(walker.translate(layout.stackBottom) != nil)
        #expect(walker.translate(Self.ramSize) == nil)
        #expect(walker.translate(MEWZ_LM_BASE) == nil)
        #expect(walker.translate(MEWZ_LM_BASE + (4 << 30)) == nil)
    }

    @Test func rightsFollowTheSegmentsAndNothingElseIsExecutable() throws {
        let (layout, walker) = try Self.build()
        let text = walker.translate(0x100000), rodata = walker.translate(0x101000), data = walker.translate(0x102000)
        #expect(text?.writable == false && text?.executable == true)
        #expect(rodata?.writable == false && rodata?.executable == false)
        #expect(data?.writable == true && data?.executable == false)
        for address in [MEWZ_GDT_ADDR, MEWZ_BOOT_INFO_ADDR, MEWZ_PAGE_TABLE_ADDR, layout.argumentsAddress,
                        layout.stackBottom, layout.stackTop - 8, layout.freeStart, Self.ramSize - 8] {
            let translation = walker.translate(address)
            #expect(translation?.writable == true && translation?.executable == false,
                    "at 0x\(String(address, radix: 16))")
        }
    }

    /// Shadow paging (kvm-pvm) takes a second fault on the first write to a page whose entry
    /// is not dirty yet: every entry is written accessed, and every writable leaf dirty.
    @Test func entriesAreAccessedAndWritablePagesDirty() throws {
        let (layout, walker) = try Self.build()
        for address in [0x100000, 0x101000, 0x102000, MEWZ_GDT_ADDR, MEWZ_BOOT_INFO_ADDR, layout.argumentsAddress,
                        layout.stackTop - 8, layout.freeStart, Self.ramSize - 8] {
            let translation = try #require(walker.translate(address))
            #expect(translation.accessed, "at 0x\(String(address, radix: 16))")
            #expect(translation.dirty == translation.writable, "at 0x\(String(address, radix: 16))")
        }
    }

    @Test func uniformRegionsUseLargePages() throws {
        let (layout, walker) = try Self.build()
        #expect(walker.translate(0x1000)?.pageSize == MEWZ_PAGE_SIZE)
        #expect(walker.translate(layout.freeEnd - 1)?.pageSize == MEWZ_LARGE_PAGE_SIZE)
        #expect(walker.translate(layout.stackBottom + (4 << 20))?.pageSize == MEWZ_LARGE_PAGE_SIZE)
    }

    static let ramSizes: [UInt64] = [4 << 20, 256 << 20, (256 << 20) + 0x3000, 1 << 30, (3 << 30) + (6 << 20), 4 << 30]

    @Test(arguments: ramSizes)
    func tablesFitTheirAreaForEveryRAMSize(ramSize: UInt64) throws {
        let (_, walker) = try Self.build(ramSize: ramSize, stackSize: 0x1000)
        #expect(walker.bytes.count <= Int(MEWZ_PAGE_TABLE_END - MEWZ_PAGE_TABLE_ADDR))
        #expect(walker.translate(ramSize - 1)?.physical == ramSize - 1)
        #expect(walker.translate(ramSize) == nil)
    }

    @Test func sharedPagesGetTheUnionOfTheirSegmentsRights() {
        let mappings: [PageTableBuilder.Mapping] = [
            .init(start: 0x100000, end: 0x101000, writable: false, executable: true),
            .init(start: 0x100000, end: 0x102000, writable: true, executable: false),
        ]
        let pages = PageTableBuilder.rights(ofRegionAt: 0, ramSize: 4 << 20, mappings: mappings)
        #expect(pages[0x100] == .init(writable: true, executable: true))
        #expect(pages[0x101] == .init(writable: true, executable: false))
        #expect(pages[0x102] == nil)
        #expect(pages[0] == nil)
    }

    @Test func tooManyMixedRegionsIsAnError() {
        // Every 2 MiB region split in two: more page tables than fit below the image.
        let mappings = (0..<300).map { region in
            PageTableBuilder.Mapping(start: UInt64(region) << 21, end: (UInt64(region) << 21) + 0x1000,
                                     writable: true, executable: false)
        }
        #expect(throws: MonitorError.pageTablesTooLarge) {
            try PageTableBuilder.build(ramSize: 1 << 30, mappings: mappings)
        }
    }
}
