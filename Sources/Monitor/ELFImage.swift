import CMewzABI

/// Why an image's ELF was rejected.
enum ELFError: Error, Equatable, CustomStringConvertible {
    case truncatedHeader(size: Int)
    case notELF
    case notELF64
    case notLittleEndian
    case badVersion
    case notExecutable(type: UInt16)
    case notX86_64(machine: UInt16)
    case badProgramHeaderSize(UInt16)
    case programHeadersOutsideFile
    case tooManyProgramHeaders(UInt16)
    case noLoadSegment
    case segmentOutsideFile(index: Int)
    case fileSizeExceedsMemorySize(index: Int)
    case physicalAddressNotVirtual(index: Int)
    case segmentBelowImageBase(index: Int, address: UInt64)
    case segmentOutsideRAM(index: Int, end: UInt64, ramSize: UInt64)
    case entryNotExecutable(entry: UInt64)
    case segmentsSharePage(index: Int)
    case segmentNotMappable(index: Int, offset: UInt64, address: UInt64)

    var description: String {
        switch self {
        case .truncatedHeader(let size): return "file of \(size) bytes is shorter than an ELF64 header"
        case .notELF: return "no ELF magic"
        case .notELF64: return "not ELFCLASS64"
        case .notLittleEndian: return "not little-endian"
        case .badVersion: return "unknown ELF version"
        case .notExecutable(let type): return "type \(type) is not ET_EXEC"
        case .notX86_64(let machine): return "machine \(machine) is not x86-64"
        case .badProgramHeaderSize(let size): return "program header size \(size), expected 56"
        case .programHeadersOutsideFile: return "program headers lie outside the file"
        case .tooManyProgramHeaders(let count): return "\(count) program headers (at most \(ELFImage.maxProgramHeaders))"
        case .noLoadSegment: return "no PT_LOAD segment"
        case .segmentOutsideFile(let index): return "segment \(index): file range lies outside the file"
        case .fileSizeExceedsMemorySize(let index): return "segment \(index): file size exceeds memory size"
        case .physicalAddressNotVirtual(let index):
            return "segment \(index): physical and virtual addresses differ (the guest is identity mapped)"
        case .segmentBelowImageBase(let index, let address):
            return "segment \(index): address 0x\(hex(address)) is below the image base 0x\(hex(MEWZ_IMAGE_ADDR))"
        case .segmentOutsideRAM(let index, let end, let ramSize):
            return "segment \(index): ends at 0x\(hex(end)), past guest RAM (0x\(hex(ramSize)))"
        case .entryNotExecutable(let entry): return "entry point 0x\(hex(entry)) is not in an executable segment"
        case .segmentsSharePage(let index):
            return "segment \(index) shares a page with another segment (each needs its own pages and rights)"
        case .segmentNotMappable(let index, let offset, let address):
            return "segment \(index): file offset 0x\(hex(offset)) and address 0x\(hex(address)) differ modulo the page size, so it cannot be mapped from the file"
        }
    }
}

/// The parts of an x86-64 ET_EXEC ELF the monitor loads: its PT_LOAD segments and entry point,
/// every one bounds-checked against the file and guest RAM.
struct ELFImage: Equatable {
    struct Segment: Equatable {
        var fileOffset: UInt64
        var fileSize: UInt64
        /// Guest-physical (= virtual) address.
        var address: UInt64
        var memorySize: UInt64
        var writable: Bool
        var executable: Bool

        var end: UInt64 { address + memorySize }
    }

    static let maxProgramHeaders: UInt16 = 64
    static let headerSize = 64
    static let programHeaderSize: UInt16 = 56

    let entry: UInt64
    /// PT_LOAD segments with a non-zero memory size, in file order.
    let segments: [Segment]

    /// Page-aligned end of the highest segment.
    var end: UInt64 {
        let highest = segments.map(\.end).max() ?? MEWZ_IMAGE_ADDR
        return alignUp(highest, MEWZ_PAGE_SIZE)
    }

    /// Parses `file`, checking every segment lies in the file and in [MEWZ_IMAGE_ADDR, ramSize).
    init(parsing file: UnsafeRawBufferPointer, ramSize: UInt64) throws(ELFError) {
        guard file.count >= Self.headerSize else { throw .truncatedHeader(size: file.count) }
        let reader = LittleEndianReader(bytes: file)
        guard reader.u32(0) == 0x464c_457f else { throw .notELF }
        guard file[4] == 2 else { throw .notELF64 }
        guard file[5] == 1 else { throw .notLittleEndian }
        guard file[6] == 1, reader.u32(20) == 1 else { throw .badVersion }
        let type = reader.u16(16)
        guard type == 2 else { throw .notExecutable(type: type) }
        let machine = reader.u16(18)
        guard machine == 62 else { throw .notX86_64(machine: machine) }

        let entry = reader.u64(24)
        let programHeaderOffset = reader.u64(32)
        let programHeaderSize = reader.u16(54)
        let programHeaderCount = reader.u16(56)
        guard programHeaderSize == Self.programHeaderSize else { throw .badProgramHeaderSize(programHeaderSize) }
        guard programHeaderCount <= Self.maxProgramHeaders else { throw .tooManyProgramHeaders(programHeaderCount) }
        let tableSize = UInt64(programHeaderCount) * UInt64(programHeaderSize)
        guard Self.fits(programHeaderOffset, tableSize, in: UInt64(file.count)) else {
            throw .programHeadersOutsideFile
        }

        var segments: [Segment] = []
        for index in 0..<Int(programHeaderCount) {
            let base = Int(programHeaderOffset) + index * Int(programHeaderSize)
            guard reader.u32(base) == 1 else { continue }  // PT_LOAD
            let flags = reader.u32(base + 4)
            let segment = Segment(
                fileOffset: reader.u64(base + 8), fileSize: reader.u64(base + 32),
                address: reader.u64(base + 24), memorySize: reader.u64(base + 40),
                writable: flags & 2 != 0, executable: flags & 1 != 0)
            let virtualAddress = reader.u64(base + 16)
            guard segment.memorySize > 0 else { continue }
            guard Self.fits(segment.fileOffset, segment.fileSize, in: UInt64(file.count)) else {
                throw .segmentOutsideFile(index: index)
            }
            guard segment.fileSize <= segment.memorySize else { throw .fileSizeExceedsMemorySize(index: index) }
            guard virtualAddress == segment.address else { throw .physicalAddressNotVirtual(index: index) }
            guard segment.address >= MEWZ_IMAGE_ADDR else {
                throw .segmentBelowImageBase(index: index, address: segment.address)
            }
            guard Self.fits(segment.address, segment.memorySize, in: ramSize) else {
                let (end, overflow) = segment.address.addingReportingOverflow(segment.memorySize)
                throw .segmentOutsideRAM(index: index, end: overflow ? .max : end, ramSize: ramSize)
            }
            segments.append(segment)
        }
        guard !segments.isEmpty else { throw .noLoadSegment }
        // Rights are per page, and a mapped segment brings whole file pages.
        let byAddress = segments.indices.sorted { segments[$0].address < segments[$1].address }
        for (previous, next) in zip(byAddress, byAddress.dropFirst())
        where segments[next].address & ~(MEWZ_PAGE_SIZE - 1) < alignUp(segments[previous].end, MEWZ_PAGE_SIZE) {
            throw .segmentsSharePage(index: next)
        }
        guard segments.contains(where: { $0.executable && entry >= $0.address && entry < $0.end }) else {
            throw .entryNotExecutable(entry: entry)
        }
        self.entry = entry
        self.segments = segments
    }

    /// Whether every segment can be mapped from the file: its file offset and
    /// address agree modulo the page size (ld.lld lays out a PT_LOAD so, with
    /// its default max-page-size of 4 KiB on x86-64).
    func checkMappable() throws(ELFError) {
        for (index, segment) in segments.enumerated() where segment.fileSize > 0
        && segment.fileOffset % MEWZ_PAGE_SIZE != segment.address % MEWZ_PAGE_SIZE {
            throw .segmentNotMappable(index: index, offset: segment.fileOffset, address: segment.address)
        }
    }

    /// Copies every segment's file bytes into `memory`. The bytes past each segment's file size
    /// stay as they are: freshly mapped guest RAM is zero, and not touching it keeps a large
    /// .bss free for the host.
    func load(from file: UnsafeRawBufferPointer, into memory: GuestMemory) -> Bool {
        for segment in segments where segment.fileSize > 0 {
            guard let target = memory.slice(segment.address, segment.fileSize),
                  let offset = Int(exactly: segment.fileOffset), let size = Int(exactly: segment.fileSize),
                  offset <= file.count, size <= file.count - offset
            else { return false }
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: file[offset..<(offset + size)]))
        }
        return true
    }

    /// Whether [start, start + length) lies inside [0, limit), without overflow.
    static func fits(_ start: UInt64, _ length: UInt64, in limit: UInt64) -> Bool {
        start <= limit && length <= limit - start
    }
}

/// Reads little-endian integers at offsets the caller has bounds-checked.
private struct LittleEndianReader {
    let bytes: UnsafeRawBufferPointer

    func u16(_ offset: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
}

func alignUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
    (value + alignment - 1) & ~(alignment - 1)
}

func hex<T: BinaryInteger>(_ value: T) -> String {
    String(value, radix: 16)
}
