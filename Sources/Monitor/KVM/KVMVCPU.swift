import CKVM
import Glibc

/// The one vCPU: its registers and KVM_RUN, with kvm_run decoded into a VMExit.
final class KVMVCPU {
    /// Kept so the VM (and the memory behind its slots) outlives the vCPU.
    let vm: KVMVM
    let fd: Int32
    let run: UnsafeMutablePointer<kvm_run>
    let mapSize: Int

    init(vm: KVMVM, fd: Int32, run: UnsafeMutablePointer<kvm_run>, mapSize: Int) {
        self.vm = vm
        self.fd = fd
        self.run = run
        self.mapSize = mapSize
    }

    deinit {
        Syscall.munmap(UnsafeMutableRawPointer(run), length: mapSize)
        Syscall.close(fd)
    }

    // MARK: Registers

    func specialRegisters() throws(MonitorError) -> kvm_sregs {
        var sregs = kvm_sregs()
        try call("KVM_GET_SREGS", CKVM_GET_SREGS, &sregs)
        return sregs
    }

    func setSpecialRegisters(_ sregs: kvm_sregs) throws(MonitorError) {
        var sregs = sregs
        try call("KVM_SET_SREGS", CKVM_SET_SREGS, &sregs)
    }

    func registers() throws(MonitorError) -> kvm_regs {
        var regs = kvm_regs()
        try call("KVM_GET_REGS", CKVM_GET_REGS, &regs)
        return regs
    }

    func setRegisters(_ regs: kvm_regs) throws(MonitorError) {
        var regs = regs
        try call("KVM_SET_REGS", CKVM_SET_REGS, &regs)
    }

    func setFPU(_ fpu: kvm_fpu) throws(MonitorError) {
        var fpu = fpu
        try call("KVM_SET_FPU", CKVM_SET_FPU, &fpu)
    }

    func setCPUID(_ table: CPUIDTable) throws(MonitorError) {
        try call("KVM_SET_CPUID2", CKVM_SET_CPUID2, table.pointer)
    }

    func setXCR0(_ value: UInt64) throws(MonitorError) {
        var xcrs = kvm_xcrs()
        xcrs.nr_xcrs = 1
        xcrs.xcrs.0 = kvm_xcr(xcr: 0, reserved: 0, value: value)
        try call("KVM_SET_XCRS", CKVM_SET_XCRS, &xcrs)
    }

    /// Sets one MSR as the host (KVM_SET_MSRS); false when KVM refused the value.
    func setMSR(_ index: UInt32, _ value: UInt64) throws(MonitorError) -> Bool {
        let count = ckvm_set_msr(fd, index, value)
        guard count >= 0 else { throw .kvmCall("KVM_SET_MSRS", Errno.current) }
        return count == 1
    }

    /// The guest TSC frequency, or nil when KVM cannot tell.
    func tscKHz() -> UInt64? {
        guard let khz = try? Syscall.ioctl(fd, CKVM_GET_TSC_KHZ), khz > 0 else { return nil }
        return UInt64(khz)
    }

    private func call<T>(_ name: String, _ request: UInt, _ argument: UnsafeMutablePointer<T>) throws(MonitorError) {
        do {
            _ = try Syscall.ioctl(fd, request, UnsafeMutableRawPointer(argument))
        } catch {
            throw .kvmCall(name, error)
        }
    }

    // MARK: Running

    /// One KVM_RUN, decoded.
    func runOnce() -> VMExit {
        do {
            _ = try Syscall.ioctlOnce(fd, CKVM_RUN)
        } catch {
            guard error.code == EINTR else { return .runFailed(error) }
            ckvm_run_set_immediate_exit(run, 0)
            return .interrupted
        }
        return decodeExit()
    }

    private func decodeExit() -> VMExit {
        let reason = ckvm_run_exit_reason(run)
        switch Int32(bitPattern: reason) {
        case KVM_EXIT_IO:
            return .portAccess(decodePortAccess())
        case KVM_EXIT_HLT:
            let regs = try? registers()
            return .halt(rip: regs?.rip ?? 0, interruptsEnabled: (regs?.rflags ?? 0) & 0x200 != 0)
        case KVM_EXIT_SHUTDOWN:
            return .shutdown(rip: rip)
        case KVM_EXIT_FAIL_ENTRY:
            return .failEntry(hardwareReason: ckvm_run_fail_entry_reason(run), rip: rip)
        case KVM_EXIT_INTERNAL_ERROR:
            return .internalError(suberror: ckvm_run_internal_suberror(run), rip: rip)
        case KVM_EXIT_MMIO:
            return .mmio(address: ckvm_run_mmio_phys_addr(run), length: ckvm_run_mmio_len(run),
                         isWrite: ckvm_run_mmio_is_write(run) != 0, rip: rip)
        default:
            return .unknown(reason: reason, rip: rip)
        }
    }

    /// The port, and the first element an OUT wrote, read from the data area KVM placed inside
    /// the kvm_run mapping (checked against the mapping all the same).
    private func decodePortAccess() -> VMExit.PortAccess {
        var access = VMExit.PortAccess(
            port: ckvm_run_io_port(run), isOut: ckvm_run_io_direction(run) == KVM_EXIT_IO_OUT,
            size: ckvm_run_io_size(run), count: ckvm_run_io_count(run), value: 0)
        let offset = ckvm_run_io_data_offset(run)
        let size = UInt64(access.size)
        guard access.isOut, [1, 2, 4].contains(size), offset <= UInt64(mapSize), size <= UInt64(mapSize) - offset
        else { return access }
        let data = UnsafeRawPointer(run) + Int(offset)
        switch size {
        case 1: access.value = UInt32(data.load(as: UInt8.self))
        case 2: access.value = UInt32(data.loadUnaligned(as: UInt16.self))
        default: access.value = data.loadUnaligned(as: UInt32.self)
        }
        return access
    }

    private var rip: UInt64 { (try? registers())?.rip ?? 0 }
}
