import CKVM
import Glibc

/// A sampling profile of the guest, for developers: with MEWZ_GUEST_PROFILE=FILE in the
/// monitor's environment, a tick every `interval` of wall time stops KVM_RUN (ckvm_profile.h),
/// and the guest's RIP at that moment is a sample. Ticks that come while the monitor itself
/// runs (an exit's work) are counted apart, as host ticks. The run ends by writing FILE:
/// "# mewz-guest-profile interval-ns N samples N host-ticks N", then one "RIP COUNT" line
/// (RIP in hex) per address seen, most samples first. `hack/guest-profile` names the functions
/// with the image's symbols.
///
/// perf cannot do this on a kvm-pvm host: its samples of a running guest land in the host
/// kernel's switch code. A sample on the instruction right after an `out` is mostly the
/// vCPU's way back into the guest after that exit, not guest work.
///
/// A tick costs an exit, so a profiled guest runs slower; and the monitor runs without its
/// seccomp filter (the samples need KVM_GET_REGS and the timer calls it leaves out), which
/// VirtualMachine says on the guest's stderr.
struct GuestProfile {
    static let environmentVariable = "MEWZ_GUEST_PROFILE"
    static var requestedPath: String? { getenv(environmentVariable).map { String(cString: $0) } }
    static let intervalNanoseconds = 50_000

    let path: String
    private var samples: [UInt64: UInt64] = [:]
    private(set) var hostTicks: UInt64 = 0

    init(path: String) { self.path = path }

    /// Starts the ticks on the calling thread, the vCPU thread.
    func start(vcpuFD: Int32) throws(MonitorError) {
        guard ckvm_profile_start(vcpuFD, Self.intervalNanoseconds) == 0 else {
            throw .guestProfile("cannot start its timer", Errno.current)
        }
    }

    /// Before each KVM_RUN: a tick that came since the last one came during host work.
    mutating func countHostTick() {
        if ckvm_profile_take_host_tick() != 0 { hostTicks += 1 }
    }

    /// After a KVM_RUN a tick ended: the guest's RIP is the sample.
    mutating func sample(_ vcpu: KVMVCPU) {
        guard let registers = try? vcpu.registers() else { return }
        samples[registers.rip, default: 0] += 1
    }

    /// Stops the ticks and writes the file.
    func finish() throws(MonitorError) {
        ckvm_profile_stop()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw .guestProfile("cannot write \(path)", Errno.current) }
        defer { close(fd) }
        do {
            try Syscall.writeAll(fd, Array(Self.render(samples: samples, hostTicks: hostTicks).utf8))
        } catch {
            throw .guestProfile("cannot write \(path)", error)
        }
    }

    /// The file's text (pure, for the tests).
    static func render(samples: [UInt64: UInt64], hostTicks: UInt64) -> String {
        let total = samples.values.reduce(0, +)
        var text = "# mewz-guest-profile interval-ns \(intervalNanoseconds) samples \(total) host-ticks \(hostTicks)\n"
        for (rip, count) in samples.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            text += "\(String(rip, radix: 16)) \(count)\n"
        }
        return text
    }
}
