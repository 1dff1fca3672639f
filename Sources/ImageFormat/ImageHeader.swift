/// The fixed header at the start of every image file. The file is this
/// header (`ImageHeader.size` bytes) followed by page-aligned sections: the
/// unikernel ELF, then the read-only filesystem (ROFS); either may be absent
/// (the cache keeps compiled ELFs and ROFS sections apart, `mewz-runtime
/// build` writes both into one file). Byte layout and
/// checks are in ImageHeader+Encoding.swift.
public struct ImageHeader: Hashable, Sendable {
    public static let magic: [UInt8] = Array("MEWZIMG\0".utf8)
    /// 2: a ROFS-only image (a cached ROFS) is valid, and the header carries
    /// the ROFS version, the rootfs key and a digest of the sections.
    public static let formatVersion: UInt32 = 2
    public static let size = 4096
    /// Sections start on this boundary so the monitor can map them.
    public static let pageSize: UInt64 = 4096
    /// MEWZ_ABI_VERSION of Guest/include/mewz/abi.h. ImageFormat stays pure
    /// Swift, so the value is repeated here; ImageFormatTests checks they agree.
    public static let currentABIVersion: UInt32 = 8
    /// A Wasm memory has at most 65536 pages of 64 KiB.
    public static let maxMemoryPages: UInt32 = 65536

    /// Guest ABI the ELF was linked against.
    public var abiVersion: UInt32
    /// Instruction-set extensions the compiled code assumes.
    public var requiredCPUFeatures: CPUFeatures
    /// The module's linear memory in Wasm pages; 0/0 means no memory. Guest
    /// ABI, CPU features and memory are 0 in an image without an ELF.
    public var memoryMinPages: UInt32
    public var memoryMaxPages: UInt32
    /// SHA-256 of the .wasm module the image was built from.
    public var moduleDigest: SHA256Digest
    /// The cache key the ELF was built under (module, compiler, guest,
    /// flags); zero when there is no ELF.
    public var cacheKey: SHA256Digest
    /// The key of the rootfs tree the ROFS was built from (ImageBuilder's
    /// RootfsWalk); zero when there is no ROFS.
    public var rootfsKey: SHA256Digest
    /// SHA-256 of every byte after the header (sections and padding), for a
    /// full check of a cached entry (`cache verify`); the checks every map
    /// makes stop at the header and the file size.
    public var contentDigest: SHA256Digest
    /// Where the sections lie in the file; `ImageWriter` fills these in. An
    /// image has an ELF, a ROFS or both.
    public var elf: ImageSection
    public var rofs: ImageSection

    public init(
        abiVersion: UInt32 = ImageHeader.currentABIVersion,
        requiredCPUFeatures: CPUFeatures,
        memoryMinPages: UInt32,
        memoryMaxPages: UInt32,
        moduleDigest: SHA256Digest,
        cacheKey: SHA256Digest,
        rootfsKey: SHA256Digest = .zero,
        contentDigest: SHA256Digest = .zero,
        elf: ImageSection = .empty,
        rofs: ImageSection = .empty
    ) {
        self.abiVersion = abiVersion
        self.requiredCPUFeatures = requiredCPUFeatures
        self.memoryMinPages = memoryMinPages
        self.memoryMaxPages = memoryMaxPages
        self.moduleDigest = moduleDigest
        self.cacheKey = cacheKey
        self.rootfsKey = rootfsKey
        self.contentDigest = contentDigest
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

extension ImageHeader {
    /// The header of a ROFS-only image (a cached ROFS): no ELF, so no guest
    /// ABI, CPU features, memory, module or ELF key.
    public static func rofsOnly(rootfsKey: SHA256Digest) -> ImageHeader {
        ImageHeader(abiVersion: 0, requiredCPUFeatures: [], memoryMinPages: 0, memoryMaxPages: 0,
                    moduleDigest: .zero, cacheKey: .zero, rootfsKey: rootfsKey)
    }

    public var hasELF: Bool { elf.size > 0 }
    public var hasROFS: Bool { rofs.size > 0 }
}
