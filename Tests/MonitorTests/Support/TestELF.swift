@testable import Monitor

/// Writes small ELF64 files for loader tests; every field can be bent.
struct TestELF {
    struct ProgramHeader {
        var type: UInt32 = 1  // PT_LOAD
        var flags: UInt32
        var offset: UInt64
        var virtualAddress: UInt64
        var physicalAddress: UInt64
        var fileSize: UInt64
        var memorySize: UInt64
    }

    var elfClass: UInt8 = 2
    var dataEncoding: UInt8 = 1
    var version: UInt8 = 1
    var type: UInt16 = 2
    var machine: UInt16 = 62
    var entry: UInt64 = 0x100000
    var programHeaderOffset: UInt64 = 64
    var programHeaderSize: UInt16 = 56
    var programHeaderCount: UInt16?
    var programHeaders: [ProgramHeader]
    /// File size; segment bytes are filled with (offset & 0xff).
    var fileSize: Int = 0x3008

    /// text RX at 1 MiB, rodata R, data RW with .bss.
    static let threeSegments = TestELF(programHeaders: [
        .init(flags: 5, offset: 0x1000, virtualAddress: 0x100000, physicalAddress: 0x100000, fileSize: 0x10, memorySize: 0x10),
        .init(flags: 4, offset: 0x2000, virtualAddress: 0x101000, physicalAddress: 0x101000, fileSize: 8, memorySize: 8),
        .init(flags: 6, offset: 0x3000, virtualAddress: 0x102000, physicalAddress: 0x102000, fileSize: 8, memorySize: 0x2000),
    ])

    func with(_ change: (inout TestELF) -> Void) -> TestELF {
        var copy = self
        change(&copy)
        return copy
    }

    var bytes: [UInt8] {
        var bytes = (0..<max(fileSize, 64)).map { UInt8(truncatingIfNeeded: $0) }
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { raw in
                for (index, byte) in raw.enumerated() where offset + index < bytes.count {
                    bytes[offset + index] = byte
                }
            }
        }
        bytes.replaceSubrange(0..<4, with: [0x7f, 0x45, 0x4c, 0x46])
        bytes[4] = elfClass
        bytes[5] = dataEncoding
        bytes[6] = version
        put(type, at: 16)
        put(machine, at: 18)
        put(UInt32(version), at: 20)
        put(entry, at: 24)
        put(programHeaderOffset, at: 32)
        put(programHeaderSize, at: 54)
        put(programHeaderCount ?? UInt16(programHeaders.count), at: 56)
        for (index, header) in programHeaders.enumerated() {
            let base = Int(programHeaderOffset) + index * 56
            put(header.type, at: base)
            put(header.flags, at: base + 4)
            put(header.offset, at: base + 8)
            put(header.virtualAddress, at: base + 16)
            put(header.physicalAddress, at: base + 24)
            put(header.fileSize, at: base + 32)
            put(header.memorySize, at: base + 40)
        }
        return bytes
    }

    func parse(ramSize: UInt64 = 256 << 20) throws(ELFError) -> ELFImage {
        try Self.parse(bytes, ramSize: ramSize)
    }

    static func parse(_ bytes: [UInt8], ramSize: UInt64 = 256 << 20) throws(ELFError) -> ELFImage {
        let result = bytes.withUnsafeBytes { file in
            Result { () throws(ELFError) -> ELFImage in try ELFImage(parsing: file, ramSize: ramSize) }
        }
        return try result.get()
    }
}
