import ImageFormat

/// The CPU features guest code can execute on this host as the host CPU
/// itself reports them (CPUID, and XCR0 for the AVX state): what the image
/// builder may compile for here. The monitor's check of an image
/// (CPUFeatureCheck) still decides at boot.
public enum HostCPU {
    public static func features() -> CPUFeatures {
        // The per-process answer: computed here, before create forks the monitor, the monitor
        // inherits it instead of trapping to the hypervisor for each leaf again.
        let leaves = CPUFeatureCheck.host
        return CPUFeatureCheck.available(leaves, avxStateEnabled: CPUFeatureCheck.hostAVXStateEnabled(leaves))
    }
}
