import Foundation
import ImageFormat
import Testing
@testable import ImageBuilder

/// Builds through the real clang and ld.lld, with a fake guest library.
@Suite(.enabled(if: Fixtures.toolchainAvailable && Fixtures.guestArchive != nil))
struct ImageBuilderTests {
    @Test func missBuildsAMappableImageAndReportsProgress() throws {
        let directory = TemporaryDirectory()
        let log = ProgressLog()
        let builder = Fixtures.builder(in: directory, progress: { log.record($0) })
        let module = Fixtures.module()

        let path = try builder.cachedImage(forModule: module, name: "hello.wasm")

        let key = try builder.cacheKey(moduleDigest: SHA256.hash(module))
        #expect(path == directory.path + "/cache/images/" + key.hex + ".img")
        let image = try MappedImage(path: path)
        #expect(image.header.cacheKey == key)
        #expect(image.header.moduleDigest == SHA256.hash(module))
        #expect(image.header.requiredCPUFeatures == .x86_64_v2)
        #expect(image.header.abiVersion == ImageHeader.currentABIVersion)
        // The stub lowering declares 1..2 pages; the real one reports the module's memory.
        #expect(image.header.memoryMinPages <= image.header.memoryMaxPages)
        #expect(image.header.rofs == .empty)
        #expect(ImageBuilder.isX86_64ELF(Array(image.elf)))
        #expect(image.elf.loadUnaligned(fromByteOffset: 16, as: UInt16.self) == 2)  // ET_EXEC

        let lines = log.lines
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("mewz-runtime: compiling hello.wasm (") == true)
        #expect(lines.first?.hasSuffix(" functions, 1 unit)") == true)
        #expect(lines.dropFirst().first?.hasPrefix("mewz-runtime: linking hello.wasm (compiled in ") == true)
        #expect(lines.last?.hasPrefix("mewz-runtime: built hello.wasm in ") == true)
        #expect(Fixtures.entries(directory.path + "/cache/tmp").isEmpty)
        #expect(Fixtures.entries(directory.path + "/cache/images") == [key.hex + ".img"])
    }

    /// Proof that a hit runs no tool: the tools named by MEWZ_CC/MEWZ_LD are
    /// deleted after the first build, and the second lookup still succeeds
    /// silently, while a miss then fails for want of them.
    @Test func hitNeedsNoToolchain() throws {
        let directory = TemporaryDirectory()
        let tools = TemporaryDirectory()
        let cc = tools.file("cc", "#!/bin/sh\nexec \(Fixtures.which("clang") ?? "clang") \"$@\"\n", executable: true)
        let ld = tools.file("ld", "#!/bin/sh\nexec \(Fixtures.which("ld.lld") ?? "ld.lld") \"$@\"\n", executable: true)
        let log = ProgressLog()
        let builder = Fixtures.builder(in: directory, environment: ["MEWZ_CC": cc, "MEWZ_LD": ld], progress: { log.record($0) })
        let first = try builder.cachedImage(forModule: Fixtures.module(), name: "a.wasm")
        #expect(log.lines.count == 3)

        try FileManager.default.removeItem(atPath: cc)
        try FileManager.default.removeItem(atPath: ld)
        let second = try builder.cachedImage(forModule: Fixtures.module(), name: "a.wasm")
        #expect(second == first)
        #expect(log.lines.count == 3)

        let miss = buildError { () throws(ImageBuildError) in
            _ = try builder.cachedImage(forModule: Fixtures.module(tag: "other"), name: "b.wasm")
        }
        #expect(miss?.description == "MEWZ_CC=\(cc) is not an executable file (point it at one, or unset it and install the Debian package clang-19)")
    }

    @Test func damagedCachedImageIsRebuilt() throws {
        let directory = TemporaryDirectory()
        let builder = Fixtures.builder(in: directory)
        let path = try builder.cachedImage(forModule: Fixtures.module(), name: "a.wasm")
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 5000)
        try handle.close()
        #expect(throws: ImageBuildError.self) { try MappedImage(path: path) }

        #expect(try builder.cachedImage(forModule: Fixtures.module(), name: "a.wasm") == path)
        #expect(try MappedImage(path: path).header.elf.size > 0)
    }

    @Test func concurrentBuildsOfOneModuleAllSucceed() async throws {
        let directory = TemporaryDirectory()
        let builder = Fixtures.builder(in: directory)
        let module = Fixtures.module(tag: "concurrent")
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask { try builder.cachedImage(forModule: module, name: "c.wasm") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(paths.count == 4)
        #expect(Set(paths).count == 1)
        let path = try #require(paths.first)
        #expect(try MappedImage(path: path).header.moduleDigest == SHA256.hash(module))
        #expect(Fixtures.entries(directory.path + "/cache/images").count == 1)
        #expect(Fixtures.entries(directory.path + "/cache/tmp").isEmpty)
    }

    @Test(arguments: ["MEWZ_CC", "MEWZ_LD"])
    func failingToolLeavesNothingBehind(variable: String) {
        let directory = TemporaryDirectory()
        let failing = directory.file(
            "failing-tool", "#!/bin/sh\necho 'warning: ignore me' >&2\necho \"x.c:1:1: error: no luck\" >&2\nexit 1\n",
            executable: true)
        let builder = Fixtures.builder(in: directory, environment: [variable: failing])
        let error = buildError { () throws(ImageBuildError) in
            _ = try builder.cachedImage(forModule: Fixtures.module(), name: "a.wasm")
        }
        #expect(error?.kind == .toolFailed)
        let tool = variable == "MEWZ_CC" ? "clang (module_0.c)" : "ld.lld"
        #expect(error?.description == "\(tool) failed (exit status 1): x.c:1:1: error: no luck")
        #expect(Fixtures.entries(directory.path + "/cache/tmp").isEmpty)
        #expect(Fixtures.entries(directory.path + "/cache/images").isEmpty)
    }

    @Test func invalidModuleFailsBeforeAnyTool() {
        let directory = TemporaryDirectory()
        let builder = Fixtures.builder(in: directory, environment: ["PATH": "/nonexistent"])
        let error = buildError { () throws(ImageBuildError) in
            _ = try builder.cachedImage(forModule: Array("not wasm".utf8), name: "bad.wasm")
        }
        #expect(error?.kind == .invalidModule)
        #expect(error?.description.hasPrefix("bad.wasm: invalid module: ") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/cache/tmp"))
    }

    @Test func missingToolchainOnAMiss() {
        let directory = TemporaryDirectory()
        let builder = Fixtures.builder(in: directory, environment: ["PATH": "/nonexistent"])
        let error = buildError { () throws(ImageBuildError) in
            _ = try builder.cachedImage(forModule: Fixtures.module(), name: "a.wasm")
        }
        #expect(error?.kind == .toolMissing)
        #expect(error?.description.hasPrefix("clang not found: install the Debian packages clang-19 and lld-19") == true)
    }

    @Test func guestOfAnotherABIIsRefused() {
        let directory = TemporaryDirectory()
        let configuration = BuildConfiguration(
            cacheDirectory: directory.path + "/cache",
            guestDirectory: Fixtures.makeGuest(in: directory, abiVersion: 9),
            environment: ["PATH": Fixtures.environmentPath])
        let error = buildError { () throws(ImageBuildError) in
            _ = try ImageBuilder(configuration: configuration).cachedImage(forModule: Fixtures.module(), name: "a.wasm")
        }
        #expect(error?.kind == .guestMismatch)
        #expect(error?.description.hasSuffix("is ABI version 9, this runtime speaks \(ImageHeader.currentABIVersion)") == true)
    }

    @Test func buildImageWritesTheGivenPath() throws {
        let directory = TemporaryDirectory()
        let builder = Fixtures.builder(in: directory)
        let output = directory.path + "/out.img"
        try builder.buildImage(forModule: Fixtures.module(), name: "a.wasm", output: output)
        let image = try MappedImage(path: output)
        #expect(image.header.cacheKey == (try builder.cacheKey(moduleDigest: SHA256.hash(Fixtures.module()))))
        #expect(Fixtures.entries(directory.path).filter { $0.hasPrefix("out.img.tmp") }.isEmpty)

        let error = buildError { () throws(ImageBuildError) in
            try builder.buildImage(forModule: Fixtures.module(), name: "a.wasm", output: directory.path + "/missing/out.img")
        }
        #expect(error?.kind == .io)
    }
}

extension ImageBuilderTests {
    /// Leftovers of a builder killed mid-build go on the next miss; fresh
    /// ones (a build running now) stay.
    @Test func staleLeftoversAreRemovedOnAMiss() throws {
        let directory = TemporaryDirectory()
        let builder = Fixtures.builder(in: directory)
        let old = Date(timeIntervalSinceNow: -2 * 24 * 3600)
        let stale = [
            directory.file("cache/tmp/build-old123/module_0.c", ""),
            directory.file("cache/images/abc.img.tmp-old", ""),
        ]
        let fresh = [directory.file("cache/tmp/build-new456/module_0.c", ""), directory.file("cache/images/abc.img.tmp-new", "")]
        for path in stale + [directory.path + "/cache/tmp/build-old123"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        }
        _ = try builder.cachedImage(forModule: Fixtures.module(), name: "a.wasm")
        #expect(Fixtures.entries(directory.path + "/cache/tmp") == ["build-new456"])
        #expect(Fixtures.entries(directory.path + "/cache/images").filter { $0.contains(".tmp-") } == ["abc.img.tmp-new"])
        #expect(fresh.allSatisfy { FileManager.default.fileExists(atPath: $0) })
    }
}
