import CKVM
import CMewzABI

/// Which CPU entropy instructions the guest may use (MEWZ_CPU_RDRAND / MEWZ_CPU_RDSEED in the
/// boot info); without them random_get asks the monitor (MEWZ_HC_RANDOM, one exit per 64 KiB).
///
/// Under kvm-pvm the guest executes natively on the host CPU and RDRAND/RDSEED are not
/// intercepted, so the host's CPUID decides, although KVM_GET_SUPPORTED_CPUID omits them there
/// (Guest/PVM.md §3); elsewhere KVM's supported CPUID does. Either way the instruction runs on
/// this CPU, so the monitor first checks that it gives entropy (ckvm_cpu_entropy_healthy).
enum GuestEntropy {
    static func features(flavor: KVMFlavor, supported: UInt64) -> UInt64 {
        var candidates = supported
        if case .pvm(native: true) = flavor {
            let host = CPUFeatureCheck.host
            candidates = CPUSetup.features(leaf1ECX: host.leaf1ECX, leaf7EBX: host.leaf7EBX, xsaveLeafEAX: 0,
                                           kvmHasXCRs: false).bootFeatures
        }
        var features: UInt64 = 0
        if candidates & MEWZ_CPU_RDRAND != 0, ckvm_cpu_entropy_healthy(0) != 0 { features |= MEWZ_CPU_RDRAND }
        if candidates & MEWZ_CPU_RDSEED != 0, ckvm_cpu_entropy_healthy(1) != 0 { features |= MEWZ_CPU_RDSEED }
        return features
    }
}
