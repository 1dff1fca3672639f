import Foundation
import ImageFormat
import Testing
@testable import Monitor

struct CPUFeatureCheckTests {
    /// A Nehalem-class CPU: x86-64-v2 and nothing newer.
    static let nehalem = CPUFeatureCheck.Leaves(
        leaf1ECX: 1 << 0 | 1 << 9 | 1 << 13 | 1 << 19 | 1 << 20 | 1 << 23, leaf1EDX: 1 << 26,
        leaf7EBX: 0, extendedLeaf1ECX: 1 << 0)
    /// A Haswell-class CPU: x86-64-v3 (leaf 1 adds FMA, MOVBE, AVX; leaf 7 BMI1, AVX2, BMI2; LZCNT).
    static let haswell = CPUFeatureCheck.Leaves(
        leaf1ECX: nehalem.leaf1ECX | 1 << 12 | 1 << 22 | 1 << 28, leaf1EDX: 1 << 26,
        leaf7EBX: 1 << 3 | 1 << 5 | 1 << 8, extendedLeaf1ECX: 1 << 0 | 1 << 5)

    static let availabilityCases: [(CPUFeatureCheck.Leaves, Bool, CPUFeatures)] = [
        (nehalem, true, .x86_64_v2),
        (haswell, true, .x86_64_v3),
        // Without the AVX state in XCR0, AVX, AVX2 and FMA would raise #UD.
        (haswell, false, CPUFeatures.x86_64_v3.subtracting([.avx, .avx2, .fma])),
        (CPUFeatureCheck.Leaves(), true, []),
        (CPUFeatureCheck.Leaves(leaf1EDX: 1 << 26), true, .x86_64),
    ]

    @Test(arguments: availabilityCases)
    func availableFeaturesFollowCPUID(leaves: CPUFeatureCheck.Leaves, avxState: Bool, expected: CPUFeatures) {
        #expect(CPUFeatureCheck.available(leaves, avxStateEnabled: avxState) == expected)
    }

    static let missingCases: [(CPUFeatures, CPUFeatures, CPUFeatures)] = [
        (.x86_64_v2, .x86_64_v2, []),
        (.x86_64_v3, .x86_64_v2, CPUFeatures.x86_64_v3.subtracting(.x86_64_v2)),
        ([.sse2, .sse41], [.sse2], [.sse41]),
        // A bit this monitor does not know can never be vouched for, even if "available" says so.
        (CPUFeatures(rawValue: 1 << 40 | 1), CPUFeatures(rawValue: 1 << 40 | 1), CPUFeatures(rawValue: 1 << 40)),
    ]

    @Test(arguments: missingCases)
    func missingFeaturesAreRequiredMinusAvailable(required: CPUFeatures, available: CPUFeatures, missing: CPUFeatures) {
        #expect(CPUFeatureCheck.missing(required: required, available: available) == missing)
    }

    @Test func refusalNamesTheMissingFeaturesOnOneLine() {
        let available = CPUFeatureCheck.available(Self.nehalem, avxStateEnabled: true)
        #expect(throws: MonitorError.missingCPUFeatures([.avx, .avx2], checkedAgainst: "KVM_GET_SUPPORTED_CPUID")) {
            try CPUFeatureCheck.check(required: [.sse2, .avx, .avx2], available: available, source: .kvmSupportedCPUID)
        }
        let error = MonitorError.missingCPUFeatures([.sse41, .avx2], checkedAgainst: CPUFeatureCheck.Source.hostCPU.description)
        #expect(error.description == "image needs CPU features this host lacks: sse4.1 avx2 (checked against the host CPU (kvm-pvm))")
        #expect(error.kind == .hostCannotRunImage)
        #expect(throws: Never.self) {
            try CPUFeatureCheck.check(required: .x86_64_v2, available: available, source: .hostCPU)
        }
    }

    @Test func kvmPVMIsDetectedFromItsModuleDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-pvm-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(KVMFlavor.detect(moduleDirectory: directory.path) == .hardware)
        let parameters = directory.appendingPathComponent("parameters")
        try FileManager.default.createDirectory(at: parameters, withIntermediateDirectories: true)
        #expect(KVMFlavor.detect(moduleDirectory: directory.path) == .pvm(native: false))
        try "N\n".write(to: parameters.appendingPathComponent("pvm_native"), atomically: true, encoding: .utf8)
        #expect(KVMFlavor.detect(moduleDirectory: directory.path) == .pvm(native: false))
        try "Y\n".write(to: parameters.appendingPathComponent("pvm_native"), atomically: true, encoding: .utf8)
        #expect(KVMFlavor.detect(moduleDirectory: directory.path) == .pvm(native: true))
    }

    /// The host's leaves come from glibc's copy of CPUID (no trap per leaf): it must be what the
    /// CPU answers. Leaf 1's EBX (which holds the APIC ID, different on each CPU) is not read.
    @Test func hostLeavesAreWhatCPUIDAnswers() {
        let copied = CPUFeatureCheck.hostLeaves()
        #expect(copied == CPUFeatureCheck.hostLeavesFromCPUID())
        #expect(copied.leaf1ECX != 0)
    }

    /// The builder compiles for x86-64-v2; this development host runs such images, so the
    /// host-side reading of CPUID must find them all (SSE4 included, which kvm-pvm's supported
    /// CPUID omits).
    @Test func thisHostRunsX86_64_v2Images() {
        let leaves = CPUFeatureCheck.hostLeaves()
        let available = CPUFeatureCheck.available(leaves, avxStateEnabled: CPUFeatureCheck.hostAVXStateEnabled(leaves))
        #expect(available.isSuperset(of: .x86_64_v2))
    }
}
