import CMewzABI
import Foundation
import Glibc
import ImageFormat
import Testing
@testable import Monitor

/// Segments mapped from the image file into guest RAM, read back without a VM.
struct SegmentMappingTests {
    /// An image file whose ELF is TestELF.threeSegments, with its RAM.
    final class Mapped {
        let image: TestImage
        let ram: AnonymousMapping
        let elf: ELFImage

        init(_ testELF: TestELF = .threeSegments) throws {
            image = try TestImage(elf: testELF.bytes, rofs: true)
            ram = try AnonymousMapping(size: 4 << 20, purpose: "test RAM")
            elf = try testELF.parse(ramSize: 4 << 20)
        }

        func map() throws(MonitorError) {
            try SegmentMapping.map(elf, from: .init(fd: image.fd, offset: image.header.elf.offset), into: ram.bytes)
        }
    }

    @Test func segmentsReadBackAsTheFileHoldsThem() throws {
        let mapped = try Mapped()
        try mapped.map()
        let ram = mapped.ram.bytes
        let fileByte = { (offset: Int) in UInt8(truncatingIfNeeded: offset) }  // TestELF fills bytes with offset & 0xff
        #expect(Array(ram[0x100000..<0x100010]) == (0x1000..<0x1010).map(fileByte))
        #expect(Array(ram[0x101000..<0x101008]) == (0x2000..<0x2008).map(fileByte))
        #expect(Array(ram[0x102000..<0x102008]) == (0x3000..<0x3008).map(fileByte))
        // What the file pages hold beyond each segment, and .bss, read as zero.
        #expect(ram[0x100010..<0x101000].allSatisfy { $0 == 0 })
        #expect(ram[0x101008..<0x102000].allSatisfy { $0 == 0 })
        #expect(ram[0x102008..<0x104000].allSatisfy { $0 == 0 })
        #expect(ram[0..<0x100000].allSatisfy { $0 == 0 })
    }

    /// Text is the file's page cache, shared; a written data page is the process's own copy.
    @Test func mappingsArePrivateFileMappings() throws {
        let mapped = try Mapped()
        try mapped.map()
        let before = mapped.image.contentsOnDisk()
        let base = UInt(bitPattern: mapped.ram.bytes.baseAddress)
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        let textLine = maps.split(separator: "\n").first { $0.hasPrefix(String(base + 0x100000, radix: 16) + "-") }
        #expect(textLine?.contains(mapped.image.path) == true)
        #expect(textLine?.contains(" rw-p ") == true)
        mapped.ram.bytes[0x102000] = 0xAB
        mapped.ram.bytes[0x100000] = 0xCD
        #expect(mapped.image.contentsOnDisk() == before)
    }

    @Test func unalignedSegmentIsRefused() throws {
        let misaligned = TestELF.threeSegments.with { $0.programHeaders[1].offset = 0x2010 }
        let mapped = try Mapped(misaligned)
        #expect(throws: MonitorError.badImage(.segmentNotMappable(index: 1, offset: 0x2010, address: 0x101000))) { try mapped.map() }
    }

    @Test func segmentsSharingAPageAreRefused() {
        let sharing = TestELF.threeSegments.with {
            $0.programHeaders[1].virtualAddress = 0x100800
            $0.programHeaders[1].physicalAddress = 0x100800
        }
        #expect(throws: ELFError.segmentsSharePage(index: 1)) { try sharing.parse() }
    }

    /// The ROFS gets 2 MiB pages where it can, 4 KiB pages for the tail: present, read-only,
    /// NX and user, at MEWZ_ROFS_BASE.
    static let rofsSizes: [UInt64] = [4096, 2 << 20, (2 << 20) + 8192, (1 << 30) + (6 << 20) + 4096]

    @Test(arguments: rofsSizes)
    func rofsPageTableEntries(size: UInt64) throws {
        let ramSize: UInt64 = 16 << 20
        let bytes = try PageTableBuilder.build(
            ramSize: ramSize, mappings: [.init(start: 0x1000, end: ramSize, writable: true, executable: false)],
            readOnly: .init(base: MEWZ_ROFS_BASE, size: size))
        let walker = PageTableWalker(bytes: bytes)
        for address in [MEWZ_ROFS_BASE, MEWZ_ROFS_BASE + size - 1, MEWZ_ROFS_BASE + size / 2] {
            let entry = try #require(walker.translate(address), "0x\(String(address, radix: 16))")
            #expect(entry.physical == address)
            #expect(!entry.writable && !entry.executable && entry.user)
            let tail = size % (2 << 20)
            let inLargePage = address - MEWZ_ROFS_BASE < size - tail
            #expect(entry.pageSize == (inLargePage ? 2 << 20 : 4096))
        }
        #expect(walker.translate(MEWZ_ROFS_BASE + size) == nil)
        #expect(walker.translate(MEWZ_ROFS_BASE - 4096) == nil)
    }

    @Test func rofsRegionMustFitItsWindow() {
        #expect(throws: MonitorError.self) {
            try PageTableBuilder.build(ramSize: 16 << 20, mappings: [], readOnly: .init(base: MEWZ_ROFS_BASE, size: 100))
        }
        #expect(throws: MonitorError.self) {
            try PageTableBuilder.build(ramSize: 16 << 20, mappings: [], readOnly: .init(base: 1 << 30, size: 4096))
        }
    }
}
