import CKVM
import Glibc
import ImageFormat

/// Which of an image's required CPU features (ImageFormat `CPUFeatures`) the guest can execute
/// here, so an image built for a newer CPU is refused with one line instead of dying at its
/// first unknown instruction (Guest/PVM.md §3 "CPU features").
enum CPUFeatureCheck {
    /// The CPUID words the features live in.
    struct Leaves: Equatable, Sendable {
        var leaf1ECX: UInt32 = 0
        var leaf1EDX: UInt32 = 0
        var leaf7EBX: UInt32 = 0
        var extendedLeaf1ECX: UInt32 = 0  // leaf 0x8000_0001
    }

    /// Where the available features come from: the host CPU under kvm-pvm (the guest executes
    /// natively on it, while KVM_GET_SUPPORTED_CPUID omits SSE4 and AVX), else KVM's supported CPUID.
    enum Source: Equatable {
        case hostCPU
        case kvmSupportedCPUID

        var description: String {
            switch self {
            case .hostCPU: return "the host CPU (kvm-pvm)"
            case .kvmSupportedCPUID: return "KVM_GET_SUPPORTED_CPUID"
            }
        }
    }

    /// The features present in `leaves`; AVX and AVX2 only when `avxStateEnabled` (XCR0 holds
    /// the AVX state for the guest), since without it they raise #UD.
    static func available(_ leaves: Leaves, avxStateEnabled: Bool) -> CPUFeatures {
        let bits: [(CPUFeatures, UInt32, Int)] = [
            (.sse2, leaves.leaf1EDX, 26), (.sse3, leaves.leaf1ECX, 0), (.ssse3, leaves.leaf1ECX, 9),
            (.sse41, leaves.leaf1ECX, 19), (.sse42, leaves.leaf1ECX, 20), (.popcnt, leaves.leaf1ECX, 23),
            (.cx16, leaves.leaf1ECX, 13), (.lahfLM, leaves.extendedLeaf1ECX, 0), (.fma, leaves.leaf1ECX, 12),
            (.movbe, leaves.leaf1ECX, 22), (.avx, leaves.leaf1ECX, 28), (.avx2, leaves.leaf7EBX, 5),
            (.bmi1, leaves.leaf7EBX, 3), (.bmi2, leaves.leaf7EBX, 8), (.lzcnt, leaves.extendedLeaf1ECX, 5),
        ]
        var features: CPUFeatures = []
        for (feature, word, bit) in bits where word & (1 << bit) != 0 { features.insert(feature) }
        // FMA uses the YMM state as well.
        if !avxStateEnabled { features.subtract([.avx, .avx2, .fma]) }
        return features
    }

    /// The required features the guest lacks; unknown bits always count as missing (this
    /// monitor cannot vouch for them).
    static func missing(required: CPUFeatures, available: CPUFeatures) -> CPUFeatures {
        required.subtracting(available.intersection(.known))
    }

    static func leaves(from table: CPUIDTable) -> Leaves {
        Leaves(leaf1ECX: table.entry(function: 1)?.ecx ?? 0, leaf1EDX: table.entry(function: 1)?.edx ?? 0,
               leaf7EBX: table.entry(function: 7, index: 0)?.ebx ?? 0,
               extendedLeaf1ECX: table.entry(function: 0x8000_0001)?.ecx ?? 0)
    }

    /// hostLeaves(), read once per process.
    static let host: Leaves = hostLeaves()

    /// The monitor's own CPUID, which is what a natively running kvm-pvm guest sees: glibc's copy
    /// of it (ckvm_host_feature_leaves), since CPUID traps to the hypervisor when the host is
    /// itself a VM (about 6 µs each here); CPUID itself with a glibc before 2.33.
    static func hostLeaves() -> Leaves {
        var words: [UInt32] = [0, 0, 0, 0]
        guard words.withUnsafeMutableBufferPointer({ ckvm_host_feature_leaves($0.baseAddress) }) != 0 else {
            return hostLeavesFromCPUID()
        }
        return Leaves(leaf1ECX: words[0], leaf1EDX: words[1], leaf7EBX: words[2], extendedLeaf1ECX: words[3])
    }

    /// The same leaves asked of the CPU itself (and the test's check of glibc's copy).
    static func hostLeavesFromCPUID() -> Leaves {
        func cpuid(_ leaf: UInt32) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
            var words: [UInt32] = [0, 0, 0, 0]
            words.withUnsafeMutableBufferPointer { ckvm_cpuid(leaf, 0, $0.baseAddress) }
            return (words[0], words[1], words[2], words[3])
        }
        let maximum = cpuid(0).eax, extendedMaximum = cpuid(0x8000_0000).eax
        let leaf1 = cpuid(1)
        return Leaves(leaf1ECX: leaf1.ecx, leaf1EDX: leaf1.edx, leaf7EBX: maximum >= 7 ? cpuid(7).ebx : 0,
                      extendedLeaf1ECX: extendedMaximum >= 0x8000_0001 ? cpuid(0x8000_0001).ecx : 0)
    }

    /// Whether the host kernel keeps the SSE and AVX state in XCR0 (and so a natively running
    /// kvm-pvm guest, which runs on the host's XCR0, can use AVX).
    static func hostAVXStateEnabled(_ leaves: Leaves) -> Bool {
        guard leaves.leaf1ECX & (1 << 27) != 0 else { return false }  // OSXSAVE: xgetbv is allowed
        return ckvm_xgetbv0() & 0b110 == 0b110
    }

    /// Refuses `required` features the guest cannot execute.
    static func check(required: CPUFeatures, available: CPUFeatures, source: Source) throws(MonitorError) {
        let missing = missing(required: required, available: available)
        guard missing.isEmpty else { throw .missingCPUFeatures(missing, checkedAgainst: source.description) }
    }
}

/// kvm-pvm (Guest/PVM.md §3 "Detecting kvm-pvm"): present, and whether it runs guests natively.
enum KVMFlavor: Equatable {
    case hardware
    case pvm(native: Bool)

    static func detect(moduleDirectory: String = "/sys/module/kvm_pvm") -> KVMFlavor {
        guard access(moduleDirectory, F_OK) == 0 else { return .hardware }
        let fd = Glibc.open(moduleDirectory + "/parameters/pvm_native", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .pvm(native: false) }
        defer { Syscall.close(fd) }
        var byte: UInt8 = 0
        return .pvm(native: Glibc.read(fd, &byte, 1) == 1 && byte == UInt8(ascii: "Y"))
    }
}
