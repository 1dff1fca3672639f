import CKVM
import Glibc

/// A KVM VM fd: memory slots and the vCPU. It keeps the host memory behind its slots alive
/// until the fd is closed.
final class KVMVM {
    let fd: Int32
    private var slotMemory: [AnonymousMapping] = []

    init(fd: Int32) { self.fd = fd }

    deinit { Syscall.close(fd) }

    func setMemoryRegion(slot: UInt32, guestAddress: UInt64, mapping: AnonymousMapping) throws(MonitorError) {
        try setMemoryRegion(slot: slot, guestAddress: guestAddress, host: mapping.bytes, owner: mapping)
    }

    /// Registers `host`, which lies inside `owner`, as slot `slot` at `guestAddress`.
    func setMemoryRegion(slot: UInt32, guestAddress: UInt64, host bytes: UnsafeMutableRawBufferPointer,
                         owner: AnonymousMapping) throws(MonitorError) {
        var region = kvm_userspace_memory_region(
            slot: slot, flags: 0, guest_phys_addr: guestAddress,
            memory_size: UInt64(bytes.count), userspace_addr: UInt64(UInt(bitPattern: bytes.baseAddress)))
        do {
            _ = try Syscall.ioctl(fd, CKVM_SET_USER_MEMORY_REGION, &region)
        } catch {
            throw .kvmCall("KVM_SET_USER_MEMORY_REGION (slot \(slot))", error)
        }
        if !slotMemory.contains(where: { $0 === owner }) { slotMemory.append(owner) }
    }

    /// Gives the vCPUs created after it an in-kernel local APIC, which the guest never uses.
    /// Without one, KVM counts the vCPU in a host-wide static key (`kvm_has_noapic_vcpu`) and
    /// rewrites the kernel's code, with IPIs to every CPU, each time that count goes from 0 to
    /// 1 and back: twice in every run of a host with no other VM, about 0.26 ms of CPU on the
    /// critical path of a hello run here. The cost is the diagnosis of a halted guest: with the
    /// APIC in the kernel, a `hlt` with interrupts off blocks the vCPU in KVM (using no CPU)
    /// until a signal stops the container, instead of exiting to the monitor. A kernel without
    /// the capability (before 4.4) runs the VM as before.
    func enableInKernelAPIC() {
        _ = ckvm_enable_split_irqchip(fd)
    }

    func createVCPU(mapSize: Int) throws(MonitorError) -> KVMVCPU {
        let vcpuFD: Int32
        do {
            vcpuFD = try Syscall.ioctl(fd, CKVM_CREATE_VCPU, 0)
        } catch {
            throw .kvmCall("KVM_CREATE_VCPU", error)
        }
        do {
            let run = try Syscall.mmap(length: mapSize, protection: PROT_READ | PROT_WRITE, flags: MAP_SHARED, fd: vcpuFD)
            return KVMVCPU(vm: self, fd: vcpuFD, run: run.assumingMemoryBound(to: kvm_run.self), mapSize: mapSize)
        } catch {
            Syscall.close(vcpuFD)
            throw .kvmCall("mmap of the vCPU's kvm_run", error)
        }
    }
}
