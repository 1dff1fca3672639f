/// Byte layout of the header (all integers little endian):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 8 | magic "MEWZIMG\0" |
/// | 8 | 4 | format version (2) |
/// | 12 | 4 | header size (4096) |
/// | 16 | 4 | guest ABI version (0 without an ELF) |
/// | 20 | 4 | memory min pages |
/// | 24 | 4 | memory max pages |
/// | 28 | 4 | ROFS version (rofs.h; 0 without a ROFS) |
/// | 32 | 8 | required CPU features (`CPUFeatures` bits) |
/// | 40 | 8 | elf offset (0 when empty) |
/// | 48 | 8 | elf size |
/// | 56 | 8 | rofs offset (0 when empty) |
/// | 64 | 8 | rofs size |
/// | 72 | 32 | module digest (SHA-256 of the .wasm) |
/// | 104 | 32 | ELF cache key |
/// | 136 | 32 | rootfs key |
/// | 168 | 32 | content digest: SHA-256 of the file from byte 4096 to its end |
/// | 200 | 32 | SHA-256 of bytes 0..<200 |
/// | 232 | 3864 | reserved, zero |
enum HeaderLayout {
    static let magic = 0
    static let formatVersion = 8
    static let headerSize = 12
    static let abiVersion = 16
    static let memoryMinPages = 20
    static let memoryMaxPages = 24
    static let rofsVersion = 28
    static let cpuFeatures = 32
    static let elfOffset = 40
    static let elfSize = 48
    static let rofsOffset = 56
    static let rofsSize = 64
    static let moduleDigest = 72
    static let cacheKey = 104
    static let rootfsKey = 136
    static let contentDigest = 168
    static let checksum = 200
    static let padding = 232
}

extension ImageHeader {
    /// The header's `ImageHeader.size` bytes, checksum included. Values are
    /// written as they are: validation happens when reading.
    public func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: ImageHeader.size)
        bytes.replaceSubrange(0..<8, with: ImageHeader.magic)
        bytes.storeLittleEndian(ImageHeader.formatVersion, at: HeaderLayout.formatVersion)
        bytes.storeLittleEndian(UInt32(ImageHeader.size), at: HeaderLayout.headerSize)
        bytes.storeLittleEndian(abiVersion, at: HeaderLayout.abiVersion)
        bytes.storeLittleEndian(memoryMinPages, at: HeaderLayout.memoryMinPages)
        bytes.storeLittleEndian(memoryMaxPages, at: HeaderLayout.memoryMaxPages)
        bytes.storeLittleEndian(rofs.size > 0 ? ROFS.version : 0, at: HeaderLayout.rofsVersion)
        bytes.storeLittleEndian(requiredCPUFeatures.rawValue, at: HeaderLayout.cpuFeatures)
        bytes.storeLittleEndian(elf.offset, at: HeaderLayout.elfOffset)
        bytes.storeLittleEndian(elf.size, at: HeaderLayout.elfSize)
        bytes.storeLittleEndian(rofs.offset, at: HeaderLayout.rofsOffset)
        bytes.storeLittleEndian(rofs.size, at: HeaderLayout.rofsSize)
        for (offset, digest) in [(HeaderLayout.moduleDigest, moduleDigest), (HeaderLayout.cacheKey, cacheKey),
                                 (HeaderLayout.rootfsKey, rootfsKey), (HeaderLayout.contentDigest, contentDigest)] {
            bytes.replaceSubrange(offset..<offset + SHA256Digest.byteCount, with: digest.bytes)
        }
        let checksum = SHA256.hash(Array(bytes[0..<HeaderLayout.checksum]))
        bytes.replaceSubrange(HeaderLayout.checksum..<HeaderLayout.padding, with: checksum.bytes)
        return bytes
    }

    /// Parses and checks a header. `prefix` holds at least the first
    /// `ImageHeader.size` bytes of the file (or all of it, if shorter);
    /// `fileSize` is the whole file's size, against which the sections are
    /// checked. Nothing in `prefix` is trusted.
    public init(validating prefix: UnsafeRawBufferPointer, fileSize: UInt64) throws(ImageFormatError) {
        let available = min(UInt64(prefix.count), fileSize)
        let magicLength = UInt64(ImageHeader.magic.count)
        guard available >= magicLength, prefix.prefix(Int(magicLength)).elementsEqual(ImageHeader.magic) else {
            throw .badMagic
        }
        guard available >= UInt64(HeaderLayout.abiVersion) else { throw .truncatedHeader(fileSize: fileSize) }
        let version = prefix.littleEndian(UInt32.self, at: HeaderLayout.formatVersion)
        guard version == ImageHeader.formatVersion else { throw .unsupportedFormatVersion(version) }
        let headerSize = prefix.littleEndian(UInt32.self, at: HeaderLayout.headerSize)
        guard headerSize == UInt32(ImageHeader.size) else { throw .badHeaderSize(headerSize) }
        guard available >= UInt64(ImageHeader.size) else { throw .truncatedHeader(fileSize: fileSize) }

        let checksum = SHA256.hash(UnsafeRawBufferPointer(rebasing: prefix[0..<HeaderLayout.checksum]))
        guard prefix[HeaderLayout.checksum..<HeaderLayout.padding].elementsEqual(checksum.bytes) else {
            throw .headerChecksumMismatch
        }
        if let offset = prefix.firstNonZero(in: HeaderLayout.padding..<ImageHeader.size) {
            throw .reservedNotZero(offset: offset)
        }

        abiVersion = prefix.littleEndian(UInt32.self, at: HeaderLayout.abiVersion)
        requiredCPUFeatures = CPUFeatures(rawValue: prefix.littleEndian(UInt64.self, at: HeaderLayout.cpuFeatures))
        memoryMinPages = prefix.littleEndian(UInt32.self, at: HeaderLayout.memoryMinPages)
        memoryMaxPages = prefix.littleEndian(UInt32.self, at: HeaderLayout.memoryMaxPages)
        moduleDigest = prefix.digest(at: HeaderLayout.moduleDigest)
        cacheKey = prefix.digest(at: HeaderLayout.cacheKey)
        rootfsKey = prefix.digest(at: HeaderLayout.rootfsKey)
        contentDigest = prefix.digest(at: HeaderLayout.contentDigest)
        elf = ImageSection(
            offset: prefix.littleEndian(UInt64.self, at: HeaderLayout.elfOffset),
            size: prefix.littleEndian(UInt64.self, at: HeaderLayout.elfSize))
        rofs = ImageSection(
            offset: prefix.littleEndian(UInt64.self, at: HeaderLayout.rofsOffset),
            size: prefix.littleEndian(UInt64.self, at: HeaderLayout.rofsSize))

        if elf.size > 0 {
            guard abiVersion == ImageHeader.currentABIVersion else { throw .unsupportedABIVersion(abiVersion) }
            let unknown = requiredCPUFeatures.subtracting(.known)
            guard unknown.isEmpty else { throw .unknownCPUFeatures(unknown.rawValue) }
            guard memoryMinPages <= memoryMaxPages, memoryMaxPages <= ImageHeader.maxMemoryPages else {
                throw .invalidMemoryLimits(min: memoryMinPages, max: memoryMaxPages)
            }
        } else {
            guard abiVersion == 0, requiredCPUFeatures.isEmpty, memoryMinPages == 0, memoryMaxPages == 0 else {
                throw .elfFieldsWithoutELF
            }
        }
        let rofsVersion = prefix.littleEndian(UInt32.self, at: HeaderLayout.rofsVersion)
        guard rofsVersion == (rofs.size > 0 ? ROFS.version : 0) else {
            throw rofs.size > 0 ? .unsupportedROFSVersion(rofsVersion) : .reservedNotZero(offset: HeaderLayout.rofsVersion)
        }
        guard rofs.size <= ROFS.maxSize else { throw .rofsTooLarge(rofs.size) }
        try ImageHeader.checkSections(elf: elf, rofs: rofs, fileSize: fileSize)
    }

    /// Sections are page aligned, after the header, in order (elf, then
    /// rofs), inside the file, and the file ends exactly at the page
    /// boundary after the last one (so mapping whole pages never reads past
    /// the end of the file). An empty section has offset 0.
    private static func checkSections(elf: ImageSection, rofs: ImageSection, fileSize: UInt64) throws(ImageFormatError) {
        guard elf.size > 0 || rofs.size > 0 else { throw .noSections }
        var end = UInt64(size)
        for (section, name) in [(elf, ImageSection.Name.elf), (rofs, .rofs)] {
            guard section.size > 0 else {
                guard section.offset == 0 else { throw .emptySectionWithOffset(name, offset: section.offset) }
                continue
            }
            try checkPlacement(of: section, named: name, fileSize: fileSize)
            guard section.offset >= end else { throw .sectionsOverlap(rofsOffset: section.offset, elfEnd: end) }
            end = section.end
        }
        // end <= fileSize here, so rounding up cannot overflow unless the
        // file is within a page of 2^64 bytes.
        let (roundedUp, overflow) = end.addingReportingOverflow(pageSize - 1)
        let paddedEnd = roundedUp & ~(pageSize - 1)
        guard !overflow, fileSize >= paddedEnd else { throw .truncatedPadding(end: paddedEnd, fileSize: fileSize) }
        guard fileSize == paddedEnd else { throw .trailingBytes(end: paddedEnd, fileSize: fileSize) }
    }

    private static func checkPlacement(of section: ImageSection, named name: ImageSection.Name, fileSize: UInt64)
        throws(ImageFormatError)
    {
        guard section.offset % pageSize == 0 else { throw .sectionNotAligned(name, offset: section.offset) }
        guard section.offset >= UInt64(size) else { throw .sectionInsideHeader(name, offset: section.offset) }
        let (end, overflow) = section.offset.addingReportingOverflow(section.size)
        guard !overflow else { throw .sectionOverflows(name) }
        guard end <= fileSize else { throw .truncatedSection(name, end: end, fileSize: fileSize) }
    }
}

extension [UInt8] {
    mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        for index in 0..<MemoryLayout<T>.size {
            self[offset + index] = UInt8(truncatingIfNeeded: value >> (index * 8))
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Callers check `offset + size <= count` first.
    func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    func firstNonZero(in range: Range<Int>) -> Int? {
        range.first { self[$0] != 0 }
    }

    func digest(at offset: Int) -> SHA256Digest {
        SHA256Digest(bytes: self[offset..<offset + SHA256Digest.byteCount]) ?? .zero
    }
}
