import ImageFormat
import Testing
@testable import ImageBuilder

/// MEWZ_CPU_TARGET picks the -march images are compiled for; the header
/// records the matching features, and the cache keeps the targets apart.
struct CPUTargetTests {
    static let haswell = CPUFeatures.x86_64_v3
    static let nehalem = CPUFeatures.x86_64_v2
    /// AVX2 without the AVX state in XCR0 is not usable, and so not v3.
    static let avx2WithoutState = CPUFeatures.x86_64_v3.subtracting([.avx, .avx2, .fma])

    @Test(arguments: [
        ([:], haswell, CPUTarget.x86_64_v3),
        ([:], nehalem, .x86_64_v2),
        ([:], avx2WithoutState, .x86_64_v2),
        ([:], CPUFeatures(), .x86_64_v2),
        (["MEWZ_CPU_TARGET": ""], haswell, .x86_64_v3),
        (["MEWZ_CPU_TARGET": "host"], nehalem, .x86_64_v2),
        (["MEWZ_CPU_TARGET": "x86-64-v2"], haswell, .x86_64_v2),
        (["MEWZ_CPU_TARGET": "x86-64-v3"], nehalem, .x86_64_v3),  // the monitor refuses it on such a host
    ])
    func environmentAndHostPickTheTarget(environment: [String: String], host: CPUFeatures, expected: CPUTarget) throws {
        #expect(try CPUTarget.resolve(environment: environment, host: host) == expected)
    }

    @Test func configurationsBuiltInCodeDefaultToTheBaseline() {
        #expect(BuildConfiguration(cacheDirectory: "/c", guestDirectory: "/g").cpuTarget == .x86_64_v2)
    }

    @Test func unknownTargetIsOneLine() {
        let error = buildError { () throws(ImageBuildError) in
            _ = try CPUTarget.resolve(environment: ["MEWZ_CPU_TARGET": "avx512"], host: Self.haswell)
        }
        #expect(error?.kind == .configuration)
        #expect(error?.description == "MEWZ_CPU_TARGET=avx512 is not a CPU target (use x86-64-v2, x86-64-v3 or host)")
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
