/// The fixed header at the start of every image file. The file is this
/// header (`ImageHeader.size` bytes) followed by page-aligned sections: the
/// unikernel ELF, then the read-only filesystem (ROFS). Byte layout and
/// checks are in ImageHeader+Encoding.swift.
public struct ImageHeader: Hashable, Sendable {
    public static let magic: [UInt8] = Array("MEWZIMG\0".utf8)
    public static let formatVersion: UInt32 = 1
    public static let size = 4096
    /// Sections start on this boundary so the monitor can map them.
    public static let pageSize: UInt64 = 4096
    /// MEWZ_ABI_VERSION of Guest/include/mewz/abi.h. ImageFormat stays pure
    /// Swift, so the value is repeated here; ImageFormatTests checks they agree.
    public static let currentABIVersion: UInt32 = 3
    /// A Wasm memory has at most 65536 pages of 64 KiB.
    public static let maxMemoryPages: UInt32 = 65536

    /// Guest ABI the ELF was linked against.
    public var abiVersion: UInt32
    /// Instruction-set extensions the compiled code assumes.
    public var requiredCPUFeatures: CPUFeatures
    /// The module's linear memory in Wasm pages; 0/0 means no memory.
    public var memoryMinPages: UInt32
    public var memoryMaxPages: UInt32
    /// SHA-256 of the .wasm module the image was built from.
    public var moduleDigest: SHA256Digest
    /// The image cache key it was built under (module, compiler, guest, flags).
    public var cacheKey: SHA256Digest
    /// Where the sections lie in the file; `ImageWriter` fills these in.
    public var elf: ImageSection
    public var rofs: ImageSection

    public init(
        abiVersion: UInt32 = ImageHeader.currentABIVersion,
        requiredCPUFeatures: CPUFeatures,
        memoryMinPages: UInt32,
        memoryMaxPages: UInt32,
        moduleDigest: SHA256Digest,
        cacheKey: SHA256Digest,
        elf: ImageSection = .empty,
        rofs: ImageSection = .empty
    ) {
        self.abiVersion = abiVersion
        self.requiredCPUFeatures = requiredCPUFeatures
        self.memoryMinPages = memoryMinPages
        self.memoryMaxPages = memoryMaxPages
        self.moduleDigest = moduleDigest
        self.cacheKey = cacheKey
        self.elf = elf
        self.rofs = rofs
    }
}

/// A byte range of the image file.
public struct ImageSection: Hashable, Sendable {
    public enum Name: String, Sendable, CustomStringConvertible {
        case elf, rofs
        public var description: String { rawValue }
    }

    public var offset: UInt64
    public var size: UInt64

    public init(offset: UInt64, size: UInt64) {
        self.offset = offset
        self.size = size
    }

    public static let empty = ImageSection(offset: 0, size: 0)

    /// offset + size; only meaningful once the header has been validated.
    public var end: UInt64 { offset &+ size }
}
