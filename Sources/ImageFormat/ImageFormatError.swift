/// Why a byte buffer is not a usable mewz image. Every message is one line.
public enum ImageFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMagic
    case unsupportedFormatVersion(UInt32)
    case badHeaderSize(UInt32)
    case truncatedHeader(fileSize: UInt64)
    case headerChecksumMismatch
    case reservedNotZero(offset: Int)
    case unsupportedABIVersion(UInt32)
    case unknownCPUFeatures(UInt64)
    case invalidMemoryLimits(min: UInt32, max: UInt32)
    case missingELF
    case noSections
    case elfFieldsWithoutELF
    case unsupportedROFSVersion(UInt32)
    case rofsTooLarge(UInt64)
    case badROFS(ROFSError)
    case contentDigestMismatch
    case sectionNotAligned(ImageSection.Name, offset: UInt64)
    case sectionInsideHeader(ImageSection.Name, offset: UInt64)
    case sectionOverflows(ImageSection.Name)
    case emptySectionWithOffset(ImageSection.Name, offset: UInt64)
    case sectionsOverlap(rofsOffset: UInt64, elfEnd: UInt64)
    case truncatedSection(ImageSection.Name, end: UInt64, fileSize: UInt64)
    case truncatedPadding(end: UInt64, fileSize: UInt64)
    case trailingBytes(end: UInt64, fileSize: UInt64)

    public var description: String {
        switch self {
        case .badMagic:
            "not a mewz image (bad magic)"
        case .unsupportedFormatVersion(let version):
            "image format version \(version) is not supported (expected \(ImageHeader.formatVersion))"
        case .badHeaderSize(let size):
            "image header size \(size) is not supported (expected \(ImageHeader.size))"
        case .truncatedHeader(let fileSize):
            "image truncated: the header needs \(ImageHeader.size) bytes, file is \(fileSize) bytes"
        case .headerChecksumMismatch:
            "image header is corrupt (checksum mismatch)"
        case .reservedNotZero(let offset):
            "image header is corrupt (reserved byte at offset \(offset) is not zero)"
        case .unsupportedABIVersion(let version):
            "image was built for guest ABI version \(version), this runtime supports \(ImageHeader.currentABIVersion)"
        case .unknownCPUFeatures(let bits):
            "image requires CPU features unknown to this runtime (bits 0x\(String(bits, radix: 16)))"
        case .invalidMemoryLimits(let min, let max):
            "image memory limits are invalid (min \(min) pages, max \(max) pages, at most \(ImageHeader.maxMemoryPages))"
        case .missingELF:
            "image has no elf section"
        case .noSections:
            "image has neither an elf nor a rofs section"
        case .elfFieldsWithoutELF:
            "image header is corrupt (guest ABI, CPU features or memory set without an elf section)"
        case .unsupportedROFSVersion(let version):
            "image rofs section is version \(version), this runtime reads version \(ROFS.version)"
        case .rofsTooLarge(let size):
            "image rofs section of \(size) bytes is larger than the \(ROFS.maxSize >> 30) GiB the guest can map"
        case .badROFS(let error):
            "image rofs section: \(error)"
        case .contentDigestMismatch:
            "image is corrupt (its sections do not match the digest in its header)"
        case .sectionNotAligned(let name, let offset):
            "image \(name) section offset \(offset) is not page aligned"
        case .sectionInsideHeader(let name, let offset):
            "image \(name) section starts at \(offset), inside the \(ImageHeader.size)-byte header"
        case .sectionOverflows(let name):
            "image \(name) section offset plus size overflows"
        case .emptySectionWithOffset(let name, let offset):
            "image \(name) section is empty but has offset \(offset)"
        case .sectionsOverlap(let offset, let end):
            "image rofs section starts at \(offset), before the header or elf section ends at \(end)"
        case .truncatedSection(let name, let end, let fileSize):
            "image truncated: \(name) section ends at \(end), file is \(fileSize) bytes"
        case .truncatedPadding(let end, let fileSize):
            "image truncated: its last section's pages end at \(end), file is \(fileSize) bytes"
        case .trailingBytes(let end, let fileSize):
            "image has \(fileSize > end ? fileSize - end : 0) unexpected bytes after its last section (file is \(fileSize) bytes)"
        }
    }
}
