import Foundation
import ImageFormat
import Testing
@testable import ImageBuilder

/// The whole build path on the committed example modules, with the real
/// decoder, lowering and guest library (built here by hack/build-guest):
/// every example must build into a well-formed image whose ELF enters at
/// the guest's entry point.
@Suite(.enabled(if: Fixtures.toolchainAvailable, "needs clang, ld.lld and llvm-ar"))
struct RealModuleTests {
    static func buildGuest(into directory: TemporaryDirectory) throws -> String {
        let output = directory.path + "/guest"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.repositoryRoot + "/hack/build-guest")
        process.arguments = [output]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "hack/build-guest failed")
        return output
    }

    @Test(arguments: ["hello", "traps", "features"])
    func exampleBuildsIntoAnImage(example: String) throws {
        let directory = TemporaryDirectory()
        let guest = try Self.buildGuest(into: directory)
        let module = try [UInt8](Data(contentsOf: URL(fileURLWithPath:
            Fixtures.repositoryRoot + "/oci/examples/\(example)/rootfs/\(example).wasm")))
        let configuration = BuildConfiguration(
            cacheDirectory: directory.path + "/cache", guestDirectory: guest,
            environment: ProcessInfo.processInfo.environment, progress: nil, translationUnits: 2)
        let builder = ImageBuilder(configuration: configuration)
        let path = try builder.cachedImage(forModule: module, name: "\(example).wasm")
        let image = try MappedImage(path: path)
        #expect(image.header.memoryMinPages > 0)
        #expect(image.header.moduleDigest == SHA256.hash(module))
        // An ELF64 x86-64 executable.
        #expect(Array(image.elf.prefix(4)) == [0x7F, 0x45, 0x4C, 0x46])
        #expect(image.elf[4] == 2 && image.elf[18] == 0x3E)
        // Same module again: the same cached file.
        #expect(try builder.cachedImage(forModule: module, name: "\(example).wasm") == path)
    }
}
