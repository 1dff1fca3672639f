import CMewzABI
import Testing
@testable import Monitor

struct ELFImageTests {
    @Test func parsesSegmentsRightsAndEntry() throws {
        let image = try TestELF.threeSegments.parse()
        #expect(image.entry == 0x100000)
        #expect(image.segments.map(\.address) == [0x100000, 0x101000, 0x102000])
        #expect(image.segments.map(\.executable) == [true, false, false])
        #expect(image.segments.map(\.writable) == [false, false, true])
        #expect(image.end == 0x104000)
    }

    @Test func skipsNonLoadAndEmptySegments() throws {
        let image = try TestELF.threeSegments.with {
            $0.programHeaders[1].type = 0x6474e551  // PT_GNU_STACK
            $0.programHeaders[2].memorySize = 0
            $0.programHeaders[2].fileSize = 0
        }.parse()
        #expect(image.segments.count == 1)
    }

    static let malformed: [(String, TestELF, ELFError)] = [
        ("32-bit", TestELF.threeSegments.with { $0.elfClass = 1 }, .notELF64),
        ("big-endian", TestELF.threeSegments.with { $0.dataEncoding = 2 }, .notLittleEndian),
        ("version", TestELF.threeSegments.with { $0.version = 0 }, .badVersion),
        ("shared object", TestELF.threeSegments.with { $0.type = 3 }, .notExecutable(type: 3)),
        ("aarch64", TestELF.threeSegments.with { $0.machine = 183 }, .notX86_64(machine: 183)),
        ("phentsize", TestELF.threeSegments.with { $0.programHeaderSize = 32 }, .badProgramHeaderSize(32)),
        ("phoff past file", TestELF.threeSegments.with { $0.programHeaderOffset = 0x3000; $0.programHeaders = [] ; $0.programHeaderCount = 1 },
         .programHeadersOutsideFile),
        ("phoff overflow", TestELF.threeSegments.with { $0.programHeaderOffset = .max - 8; $0.programHeaders = []; $0.programHeaderCount = 1 },
         .programHeadersOutsideFile),
        ("too many", TestELF.threeSegments.with { $0.programHeaderCount = 65 }, .tooManyProgramHeaders(65)),
        ("no load", TestELF.threeSegments.with { $0.programHeaders = [] }, .noLoadSegment),
        ("file range past end", TestELF.threeSegments.with { $0.programHeaders[1].fileSize = 0x2000 }, .segmentOutsideFile(index: 1)),
        ("file range overflow", TestELF.threeSegments.with { $0.programHeaders[0].offset = .max }, .segmentOutsideFile(index: 0)),
        ("filesz > memsz", TestELF.threeSegments.with { $0.programHeaders[2].memorySize = 4 }, .fileSizeExceedsMemorySize(index: 2)),
        ("paddr != vaddr", TestELF.threeSegments.with { $0.programHeaders[0].virtualAddress = 0xffff_ffff_8010_0000 },
         .physicalAddressNotVirtual(index: 0)),
        ("below image base", TestELF.threeSegments.with {
            $0.programHeaders[1].virtualAddress = 0x1000
            $0.programHeaders[1].physicalAddress = 0x1000
        }, .segmentBelowImageBase(index: 1, address: 0x1000)),
        ("past RAM", TestELF.threeSegments.with { $0.programHeaders[2].memorySize = 256 << 20 },
         .segmentOutsideRAM(index: 2, end: 0x102000 + (256 << 20), ramSize: 256 << 20)),
        ("address overflow", TestELF.threeSegments.with { $0.programHeaders[2].memorySize = .max },
         .segmentOutsideRAM(index: 2, end: .max, ramSize: 256 << 20)),
        ("entry outside", TestELF.threeSegments.with { $0.entry = 0x200000 }, .entryNotExecutable(entry: 0x200000)),
        ("entry in data", TestELF.threeSegments.with { $0.entry = 0x102000 }, .entryNotExecutable(entry: 0x102000)),
    ]

    @Test(arguments: malformed)
    func malformedFilesAreRejected(name: String, elf: TestELF, expected: ELFError) {
        #expect(throws: expected, "\(name)") { try elf.parse() }
    }

    @Test func badMagicIsRejected() {
        var bytes = TestELF.threeSegments.bytes
        bytes[1] = 0x46
        #expect(throws: ELFError.notELF) { try TestELF.parse(bytes) }
    }

    @Test func truncatedFileIsRejected() {
        let bytes = Array(TestELF.threeSegments.bytes.prefix(40))
        #expect(throws: ELFError.truncatedHeader(size: 40)) { try TestELF.parse(bytes) }
    }

    @Test func loadCopiesFileBytesAndLeavesTheRestZero() throws {
        let elf = TestELF.threeSegments
        let image = try elf.parse()
        let ram = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 4096)
        defer { ram.deallocate() }
        ram.initializeMemory(as: UInt8.self, repeating: 0)
        let memory = GuestMemory(regions: [.init(guestAddress: 0, bytes: ram)])
        let loaded = elf.bytes.withUnsafeBytes { image.load(from: $0, into: memory) }
        #expect(loaded)
        #expect(Array(ram[0x100000..<0x100010]) == (0x1000..<0x1010).map { UInt8(truncatingIfNeeded: $0) })
        #expect(Array(ram[0x102000..<0x102008]) == (0x3000..<0x3008).map { UInt8(truncatingIfNeeded: $0) })
        #expect(ram[0x102008..<0x104000].allSatisfy { $0 == 0 })
        #expect(ram[0x100010..<0x101000].allSatisfy { $0 == 0 })
    }

    @Test func loadRefusesMemoryThatDoesNotHoldTheImage() throws {
        let elf = TestELF.threeSegments
        let image = try elf.parse()
        let ram = UnsafeMutableRawBufferPointer.allocate(byteCount: 0x101000, alignment: 4096)
        defer { ram.deallocate() }
        let memory = GuestMemory(regions: [.init(guestAddress: 0, bytes: ram)])
        #expect(!elf.bytes.withUnsafeBytes { image.load(from: $0, into: memory) })
    }
}
