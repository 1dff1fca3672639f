import CKVM
import Glibc

extension KVMVM {
    /// Registers `host` as a read-only slot (KVM_MEM_READONLY): guest writes to it never reach
    /// the host memory, which may be a PROT_READ file mapping. The caller keeps `host` alive
    /// as long as the VM.
    func setReadOnlyMemoryRegion(slot: UInt32, guestAddress: UInt64, host: UnsafeRawBufferPointer) throws(MonitorError) {
        var region = kvm_userspace_memory_region(
            slot: slot, flags: UInt32(KVM_MEM_READONLY), guest_phys_addr: guestAddress,
            memory_size: UInt64(host.count), userspace_addr: UInt64(UInt(bitPattern: host.baseAddress)))
        do {
            _ = try Syscall.ioctl(fd, CKVM_SET_USER_MEMORY_REGION, &region)
        } catch {
            throw .kvmCall("KVM_SET_USER_MEMORY_REGION (read-only slot \(slot))", error)
        }
    }
}
