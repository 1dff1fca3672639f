import ImageFormat
import Testing
@testable import ImageBuilder

/// MEWZ_CPU_TARGET picks the -march images are compiled for; the header
/// records the matching features, and the cache keeps the targets apart.
struct CPUTargetTests {
    @Test(arguments: [
        ([:], CPUTarget.x86_64_v2),
        (["MEWZ_CPU_TARGET": ""], .x86_64_v2),
        (["MEWZ_CPU_TARGET": "x86-64-v2"], .x86_64_v2),
        (["MEWZ_CPU_TARGET": "x86-64-v3"], .x86_64_v3),
    ])
    func environmentPicksTheTarget(environment: [String: String], expected: CPUTarget) throws {
        #expect(try CPUTarget.resolve(environment: environment) == expected)
    }

    @Test func unknownTargetIsOneLine() {
        let error = buildError { () throws(ImageBuildError) in
            _ = try CPUTarget.resolve(environment: ["MEWZ_CPU_TARGET": "avx512"])
        }
        #expect(error?.kind == .configuration)
        #expect(error?.description == "MEWZ_CPU_TARGET=avx512 is not a CPU target (use x86-64-v2 or x86-64-v3)")
    }

    @Test func flagsAndFeaturesFollowTheTarget() {
        #expect(ImageBuilder.compileFlags(for: .x86_64_v2) == ImageBuilder.compileFlags)
        let v3 = ImageBuilder.compileFlags(for: .x86_64_v3)
        #expect(v3.filter { $0.hasPrefix("-march=") } == ["-march=x86-64-v3"])
        #expect(v3.count == ImageBuilder.compileFlags.count)
        #expect(CPUTarget.x86_64_v2.features == .x86_64_v2)
        #expect(CPUTarget.x86_64_v3.features.isSuperset(of: [.avx, .avx2, .sse41]))
    }

    @Test func targetsHaveTheirOwnCacheKeys() throws {
        let directory = TemporaryDirectory()
        let baseline = Fixtures.builder(in: directory)
        var configuration = baseline.configuration
        configuration.cpuTarget = .x86_64_v3
        let digest = SHA256.hash(Fixtures.module())
        #expect(try baseline.cacheKey(moduleDigest: digest) != ImageBuilder(configuration: configuration).cacheKey(moduleDigest: digest))
    }

    /// Through the real clang and ld.lld: the header says what -march allowed.
    @Test(.enabled(if: Fixtures.toolchainAvailable && Fixtures.guestArchive != nil), arguments: CPUTarget.allCases)
    func headerRecordsTheTarget(_ target: CPUTarget) throws {
        let directory = TemporaryDirectory()
        var configuration = Fixtures.builder(in: directory).configuration
        configuration.cpuTarget = target
        let path = try ImageBuilder(configuration: configuration).cachedImage(forModule: Fixtures.module(), name: "m.wasm")
        #expect(try MappedImage(path: path).header.requiredCPUFeatures == target.features)
    }
}
