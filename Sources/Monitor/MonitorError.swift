import Glibc
import ImageFormat

/// Why a virtual machine could not be set up: one line, from a named constructor.
public struct MonitorError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        case kvmUnavailable
        case kvmPermissionDenied
        case kvmAPIVersion
        case kvmCapabilityMissing
        case kvmCallFailed
        case hostResource
        case badConfiguration
        case badImage
        case ramTooSmall
        case hostCannotRunImage
    }

    public let kind: Kind
    public let description: String

    private init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    static func kvmOpen(_ failure: Errno) -> MonitorError {
        switch failure.code {
        case ENOENT, ENXIO, ENODEV:
            return MonitorError(.kvmUnavailable, "/dev/kvm: \(failure) (is KVM enabled? mewz-runtime needs /dev/kvm)")
        case EACCES, EPERM:
            return MonitorError(.kvmPermissionDenied, "/dev/kvm: \(failure) (run as root or add the user to the kvm group)")
        default:
            return MonitorError(.kvmUnavailable, "/dev/kvm: \(failure)")
        }
    }

    static func kvmAPIVersion(_ version: Int32) -> MonitorError {
        MonitorError(.kvmAPIVersion, "/dev/kvm: KVM API version \(version), need \(KVMSystem.requiredAPIVersion)")
    }

    /// /dev/kvm opened but does not answer KVM_GET_API_VERSION.
    static func kvmNotKVM(_ failure: Errno) -> MonitorError {
        MonitorError(.kvmUnavailable, "/dev/kvm is not a KVM device (KVM_GET_API_VERSION: \(failure))")
    }

    static func kvmCapabilityMissing(_ name: String) -> MonitorError {
        MonitorError(.kvmCapabilityMissing, "KVM lacks \(name) (host kernel too old?)")
    }

    /// A KVM ioctl failed: "KVM_CREATE_VM: Cannot allocate memory".
    static func kvmCall(_ name: String, _ failure: Errno) -> MonitorError {
        MonitorError(.kvmCallFailed, "\(name): \(failure)")
    }

    static func kvmCall(_ name: String, _ why: String) -> MonitorError {
        MonitorError(.kvmCallFailed, "\(name): \(why)")
    }

    static func hostMemory(_ what: String, bytes: UInt64, _ failure: Errno) -> MonitorError {
        MonitorError(.hostResource, "cannot map \(what) (\(bytes >> 20) MiB): \(failure)")
    }

    static func signalSetup(_ failure: Errno) -> MonitorError {
        MonitorError(.hostResource, "cannot install signal handlers: \(failure)")
    }

    static func ringThread(_ failure: Errno) -> MonitorError {
        MonitorError(.hostResource, "cannot start the hypercall ring's thread: \(failure)")
    }

    static func guestProfile(_ what: String, _ failure: Errno) -> MonitorError {
        MonitorError(.hostResource, "\(GuestProfile.environmentVariable): \(what): \(failure)")
    }

    static func seccomp(_ failure: Errno) -> MonitorError {
        MonitorError(.hostResource, "cannot load the seccomp filter: \(failure)")
    }

    /// "memory limit of 40 MiB leaves 6 MiB for linear memory, but the module starts with 16 MiB".
    static func memoryLimitTooSmall(limit: UInt64, linearMemory: UInt64, initial: UInt64) -> MonitorError {
        MonitorError(.badConfiguration, "memory limit of \(mebibytes(limit)) leaves \(mebibytes(linearMemory)) for linear memory, but the module starts with \(mebibytes(initial))")
    }

    private static func mebibytes(_ bytes: UInt64) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    static func badConfiguration(_ why: String) -> MonitorError {
        MonitorError(.badConfiguration, "bad VM configuration: \(why)")
    }

    static func badImage(_ failure: ELFError) -> MonitorError {
        MonitorError(.badImage, "bad image ELF: \(failure)")
    }

    /// "image needs CPU features this host lacks: sse4.1 avx2 (checked against KVM_GET_SUPPORTED_CPUID)".
    static func missingCPUFeatures(_ missing: CPUFeatures, checkedAgainst source: String) -> MonitorError {
        MonitorError(.hostCannotRunImage, "image needs CPU features this host lacks: \(missing) (checked against \(source))")
    }

    /// Guest/PVM.md §3: with pvm_native=N every guest instruction is emulated and the first SSE one fails.
    static let kvmPVMNotNative = MonitorError(
        .hostCannotRunImage,
        "/dev/kvm is kvm-pvm with /sys/module/kvm_pvm/parameters/pvm_native=N: guests would be emulated and fail at their first SSE instruction (set pvm_native=Y)")

    /// mmap of the image's segments over guest RAM failed.
    static func imageMapping(_ failure: Errno) -> MonitorError {
        MonitorError(.hostResource, "cannot map the image into guest RAM: \(failure)")
    }

    /// The read-only filesystem handed to the VM cannot be mapped at MEWZ_ROFS_BASE.
    static func badROFS(_ why: String) -> MonitorError {
        MonitorError(.badImage, "bad image ROFS: \(why)")
    }

    static let ramTooSmall = MonitorError(.ramTooSmall, "guest RAM too small for the image")

    static let pageTablesTooLarge = MonitorError(
        .badImage, "bad image ELF: its segments need more page tables than fit below the image")
}
