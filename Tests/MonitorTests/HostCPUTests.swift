import ImageFormat
import Testing
@testable import Monitor

/// What the image builder is told it may compile for: the host CPU's own
/// view, the same the kvm-pvm check uses.
struct HostCPUTests {
    @Test func hostFeaturesAreTheHostCheckOfCPUID() {
        let leaves = CPUFeatureCheck.hostLeaves()
        let expected = CPUFeatureCheck.available(leaves, avxStateEnabled: CPUFeatureCheck.hostAVXStateEnabled(leaves))
        #expect(HostCPU.features() == expected)
        // Every host this project supports runs x86-64-v2 code.
        #expect(HostCPU.features().isSuperset(of: .x86_64_v2))
    }
}
