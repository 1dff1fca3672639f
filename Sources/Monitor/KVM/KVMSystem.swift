import CKVM
import Glibc

/// /dev/kvm: version and capability checks, supported CPUID, and VM creation.
final class KVMSystem {
    static let requiredAPIVersion: Int32 = 12

    let fd: Int32

    init() throws(MonitorError) {
        do {
            fd = try Syscall.open("/dev/kvm", O_RDWR | O_CLOEXEC)
        } catch {
            throw .kvmOpen(error)
        }
        let version: Int32
        do {
            version = try Syscall.ioctl(fd, CKVM_GET_API_VERSION)
        } catch {
            throw .kvmNotKVM(error)
        }
        guard version == Self.requiredAPIVersion else { throw .kvmAPIVersion(version) }
        for (capability, name) in [(KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"),
                                   (KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT")] {
            guard has(capability) else { throw .kvmCapabilityMissing(name) }
        }
    }

    deinit { Syscall.close(fd) }

    func has(_ capability: Int32) -> Bool {
        ((try? Syscall.ioctl(fd, CKVM_CHECK_EXTENSION, UInt(capability))) ?? 0) > 0
    }

    /// KVM_CAP_NR_MEMSLOTS: how many memory slots a VM may have (at least the 32 of old kernels).
    func memorySlotCount() -> UInt32 {
        let count = (try? Syscall.ioctl(fd, CKVM_CHECK_EXTENSION, UInt(KVM_CAP_NR_MEMSLOTS))) ?? 0
        return UInt32(max(32, count))
    }

    func vcpuMapSize() throws(MonitorError) -> Int {
        let size: Int32
        do {
            size = try Syscall.ioctl(fd, CKVM_GET_VCPU_MMAP_SIZE)
        } catch {
            throw .kvmCall("KVM_GET_VCPU_MMAP_SIZE", error)
        }
        guard size >= MemoryLayout<kvm_run>.size else {
            throw .kvmCall("KVM_GET_VCPU_MMAP_SIZE", "size \(size) is smaller than struct kvm_run")
        }
        return Int(size)
    }

    /// KVM_GET_SUPPORTED_CPUID, from `cache` when it holds this boot's and this KVM's answer.
    func supportedCPUID(cache: SupportedCPUIDCache?) throws(MonitorError) -> CPUIDTable {
        guard let cache, let key = SupportedCPUIDCache.currentKey() else { return try supportedCPUID() }
        if let table = cache.load(key: key) { return table }
        let table = try supportedCPUID()
        cache.store(table, key: key)
        return table
    }

    /// KVM_GET_SUPPORTED_CPUID, growing the table while the kernel answers E2BIG.
    func supportedCPUID() throws(MonitorError) -> CPUIDTable {
        var capacity: UInt32 = 128  // today's kernels report about 75 entries
        while true {
            guard let table = CPUIDTable(capacity: capacity) else {
                throw .kvmCall("KVM_GET_SUPPORTED_CPUID", Errno(code: ENOMEM))
            }
            do {
                _ = try Syscall.ioctl(fd, CKVM_GET_SUPPORTED_CPUID, UnsafeMutableRawPointer(table.pointer))
                return table
            } catch {
                guard error.code == E2BIG, capacity < 4096 else {
                    throw .kvmCall("KVM_GET_SUPPORTED_CPUID", error)
                }
                capacity *= 2
            }
        }
    }

    func createVM() throws(MonitorError) -> KVMVM {
        do {
            return KVMVM(fd: try Syscall.ioctl(fd, CKVM_CREATE_VM))
        } catch {
            throw .kvmCall("KVM_CREATE_VM", error)
        }
    }
}

/// A struct kvm_cpuid2 with its flexible entry array, owned here.
final class CPUIDTable {
    let pointer: UnsafeMutablePointer<kvm_cpuid2>

    init?(capacity: UInt32) {
        guard let pointer = ckvm_cpuid2_allocate(capacity) else { return nil }
        self.pointer = pointer
    }

    deinit { ckvm_cpuid2_free(pointer) }

    /// The entry for leaf `function`, sub-leaf `index` (ignored for leaves without sub-leaves).
    func entry(function: UInt32, index: UInt32 = 0) -> kvm_cpuid_entry2? {
        for position in 0..<ckvm_cpuid2_count(pointer) {
            let entry = ckvm_cpuid2_entry(pointer, position).pointee
            let indexed = entry.flags & UInt32(KVM_CPUID_FLAG_SIGNIFCANT_INDEX) != 0
            if entry.function == function && (!indexed || entry.index == index) { return entry }
        }
        return nil
    }
}
