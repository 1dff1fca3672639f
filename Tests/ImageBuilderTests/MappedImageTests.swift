import Foundation
import ImageFormat
import Testing
@testable import ImageBuilder

typealias Damage = @Sendable ([UInt8]) -> [UInt8]

/// Ways to spoil a valid image, and what MappedImage says about each.
let damagedFiles: [(String, Damage, String)] = [
    ("empty", { _ in [] }, "not a mewz image (bad magic)"),
    ("garbage", { _ in Array("#!/bin/sh\n".utf8) }, "not a mewz image (bad magic)"),
    ("header only", { Array($0.prefix(4096)) }, "image truncated: elf section ends at 10096, file is 4096 bytes"),
    ("short header", { Array($0.prefix(100)) }, "image truncated: the header needs 4096 bytes, file is 100 bytes"),
    ("corrupt field", { var b = $0; b[50] ^= 1; return b }, "image header is corrupt (checksum mismatch)"),
]

struct MappedImageTests {
    static let header = ImageHeader(
        requiredCPUFeatures: .x86_64, memoryMinPages: 1, memoryMaxPages: 4,
        moduleDigest: SHA256.hash(Array("m".utf8)), cacheKey: SHA256.hash(Array("k".utf8)))
    static let elf = (0..<6000).map { UInt8(truncatingIfNeeded: $0) }
    static let rofs: [UInt8] = {
        var tree = ROFSTree()
        _ = try? tree.addFile(Array("index.html".utf8), in: ROFSTree.root, data: .bytes(Array("read-only files".utf8)),
                              metadata: ROFSMetadata(mode: 0o644))
        return (try? ROFSLayout(tree).bytes()) ?? []
    }()

    static func write(_ bytes: [UInt8], in directory: TemporaryDirectory) -> String {
        let path = directory.path + "/image.img"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    @Test func mapsAValidImage() throws {
        let directory = TemporaryDirectory()
        let file = ImageWriter.image(header: Self.header, elf: Self.elf, rofs: Self.rofs)
        let image = try MappedImage(path: Self.write(file, in: directory))
        #expect(image.header.cacheKey == Self.header.cacheKey)
        #expect(Array(image.elf) == Self.elf)
        #expect(Array(image.rofs) == Self.rofs)
        #expect(image.bytes.count == file.count)
    }

    @Test(arguments: damagedFiles)
    func refusesDamagedFiles(_ name: String, damage: Damage, message: String) {
        let directory = TemporaryDirectory()
        let path = Self.write(damage(ImageWriter.image(header: Self.header, elf: Self.elf)), in: directory)
        let error = buildError { () throws(ImageBuildError) in _ = try MappedImage(path: path) }
        #expect(error?.kind == .invalidImage, "\(name)")
        #expect(error?.description == "\(path): \(message)", "\(name)")
    }

    @Test func missingFileAndDirectory() {
        let directory = TemporaryDirectory()
        let missing = buildError { () throws(ImageBuildError) in _ = try MappedImage(path: directory.path + "/none.img") }
        #expect(missing?.description == "cannot open \(directory.path)/none.img: No such file or directory")
        let notAFile = buildError { () throws(ImageBuildError) in _ = try MappedImage(path: directory.path) }
        #expect(notAFile?.kind == .io)
    }
}
