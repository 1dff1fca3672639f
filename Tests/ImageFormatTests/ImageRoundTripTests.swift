import Foundation
import ImageFormat
import Testing

/// A header with every field set to something distinguishable.
func sampleHeader() -> ImageHeader {
    ImageHeader(
        requiredCPUFeatures: .x86_64_v2,
        memoryMinPages: 17,
        memoryMaxPages: 300,
        moduleDigest: SHA256.hash(Array("module".utf8)),
        cacheKey: SHA256.hash(Array("key".utf8)))
}

func sampleBytes(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131) ^ seed }
}

/// A real ROFS section of `pages` pages (the image reader checks its superblock).
func sampleROFS(pages: Int) -> [UInt8] {
    guard pages > 0 else { return [] }
    var tree = ROFSTree()
    let size = (pages - 1) * 4096
    if size > 0 { _ = try? tree.addFile(Array("f".utf8), in: ROFSTree.root, data: .bytes(sampleBytes(size, seed: 0x22)), metadata: .init(mode: 0o644)) }
    return (try? ROFSLayout(tree).bytes()) ?? []
}

struct ImageRoundTripTests {
    @Test(arguments: [(1, 0), (5000, 0), (4096, 0), (5000, 1), (8192, 3), (1, 2), (0, 1), (0, 4)])
    func writeThenRead(elfSize: Int, rofsPages: Int) throws {
        let elf = sampleBytes(elfSize, seed: 0x11)
        let rofs = sampleROFS(pages: rofsPages)
        var header = elfSize > 0 ? sampleHeader() : .rofsOnly(rootfsKey: SHA256.hash(Array("tree".utf8)))
        header.rootfsKey = SHA256.hash(Array("tree".utf8))
        let file = ImageWriter.image(header: header, elf: elf, rofs: rofs)

        #expect(file.count % 4096 == 0)
        try file.withUnsafeBytes { buffer in
            let image = try ImageReader(buffer)
            var expected = header
            if elfSize > 0 { expected.elf = ImageSection(offset: 4096, size: UInt64(elfSize)) }
            if rofsPages > 0 {
                #expect(image.header.rofs.offset % 4096 == 0)
                #expect(image.header.rofs.offset >= max(image.header.elf.end, 4096))
                expected.rofs = image.header.rofs
            }
            expected.contentDigest = SHA256.hash(Array(file[4096...]))
            #expect(image.header == expected)
            #expect(Array(image.elf) == elf)
            #expect(Array(image.rofs) == rofs)
            try image.verifyContent()
        }
        #expect(try ImageReader.header(of: file).rootfsKey == header.rootfsKey)
    }

    @Test func contentDamageIsFoundByVerifyOnly() throws {
        var file = ImageWriter.image(header: sampleHeader(), elf: sampleBytes(5000, seed: 1), rofs: sampleROFS(pages: 2))
        file[4096 + 100] ^= 1  // inside the ELF
        try file.withUnsafeBytes { buffer in
            let image = try ImageReader(buffer)  // the cheap checks pass
            #expect(throws: ImageFormatError.contentDigestMismatch) { try image.verifyContent() }
        }
    }

    @Test func rofsSectionMustBeAROFS() {
        let file = ImageWriter.image(header: sampleHeader(), elf: sampleBytes(10, seed: 1), rofs: sampleBytes(4096, seed: 2))
        #expect(throws: ImageFormatError.badROFS(.badMagic)) { try ImageReader.header(of: file) }
        // A section one page longer than the filesystem it holds.
        let short = sampleROFS(pages: 1) + [UInt8](repeating: 0, count: 4096)
        let mismatched = ImageWriter.image(header: sampleHeader(), elf: sampleBytes(10, seed: 1), rofs: short)
        #expect(throws: ImageFormatError.badROFS(.sizeMismatch(claimed: 4096, available: 8192))) {
            try ImageReader.header(of: mismatched)
        }
    }

    @Test func layoutIsPageAligned() {
        let placement = ImageWriter.layout(elfSize: 4097, rofsSize: 10)
        #expect(placement.elf == ImageSection(offset: 4096, size: 4097))
        #expect(placement.rofs == ImageSection(offset: 4096 * 3, size: 10))
        #expect(placement.fileSize == 4096 * 4)
        let rofsOnly = ImageWriter.layout(elfSize: 0, rofsSize: 8192)
        #expect(rofsOnly.elf == .empty && rofsOnly.rofs == ImageSection(offset: 4096, size: 8192) && rofsOnly.fileSize == 12288)
    }

    /// The layout documented in ImageHeader+Encoding.swift, checked byte by
    /// byte so the format cannot drift silently.
    @Test func headerBytesFollowTheDocumentedLayout() {
        var header = sampleHeader()
        header.elf = ImageSection(offset: 0x1000, size: 0x0102_0304)
        header.rofs = ImageSection(offset: 0x0203_0000, size: 7)
        header.rootfsKey = SHA256.hash(Array("rootfs".utf8))
        header.contentDigest = SHA256.hash(Array("content".utf8))
        let bytes = header.encoded()
        func uint(_ offset: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        }
        #expect(bytes.count == 4096)
        #expect(Array(bytes[0..<8]) == Array("MEWZIMG\0".utf8))
        #expect(uint(8, 4) == 2)
        #expect(uint(12, 4) == 4096)
        #expect(uint(16, 4) == 8)  // ABI 8: an fd_close rides on the next file call
        #expect(uint(20, 4) == 17)
        #expect(uint(24, 4) == 300)
        #expect(uint(28, 4) == 1)  // ROFS version, as there is a ROFS
        #expect(uint(32, 8) == CPUFeatures.x86_64_v2.rawValue)
        #expect(uint(40, 8) == 0x1000)
        #expect(uint(48, 8) == 0x0102_0304)
        #expect(uint(56, 8) == 0x0203_0000)
        #expect(uint(64, 8) == 7)
        #expect(Array(bytes[72..<104]) == header.moduleDigest.bytes)
        #expect(Array(bytes[104..<136]) == header.cacheKey.bytes)
        #expect(Array(bytes[136..<168]) == header.rootfsKey.bytes)
        #expect(Array(bytes[168..<200]) == header.contentDigest.bytes)
        #expect(Array(bytes[200..<232]) == SHA256.hash(Array(bytes[0..<200])).bytes)
        #expect(bytes[232...].allSatisfy { $0 == 0 })
        header.rofs = .empty
        #expect(header.encoded()[28] == 0)
    }

    /// ImageFormat does not import C, so it repeats MEWZ_ABI_VERSION; this
    /// keeps the copy honest.
    @Test func abiVersionMatchesAbiHeader() throws {
        let abiHeader = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Guest/include/mewz/abi.h")
        let text = try String(contentsOf: abiHeader, encoding: .utf8)
        let definitions = text.split(separator: "\n").filter { $0.hasPrefix("#define MEWZ_ABI_VERSION ") }
        #expect(definitions.count == 1)
        let value = definitions.first.flatMap { UInt32($0.split(separator: " ").last ?? "") }
        #expect(value == ImageHeader.currentABIVersion)
    }

    @Test func cpuFeatureNames() {
        #expect(CPUFeatures.x86_64.description == "sse2")
        #expect(CPUFeatures([.sse41, .popcnt]).description == "sse4.1 popcnt")
        #expect(CPUFeatures(rawValue: 1 << 40).description == "unknown(0x10000000000)")
        #expect(CPUFeatures.x86_64_v3.isSuperset(of: .x86_64_v2))
        #expect(CPUFeatures.known.isSuperset(of: .x86_64_v3))
    }
}
