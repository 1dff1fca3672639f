import ImageFormat

/// The CPU features guest code can execute on this host as the host CPU
/// itself reports them (CPUID, and XCR0 for the AVX state): what the image
/// builder may compile for here. The monitor's check of an image
/// (CPUFeatureCheck) still decides at boot.
public enum HostCPU {
    public static func features() -> CPUFeatures {
        let leaves = CPUFeatureCheck.hostLeaves()
        return CPUFeatureCheck.available(leaves, avxStateEnabled: CPUFeatureCheck.hostAVXStateEnabled(leaves))
    }
}
