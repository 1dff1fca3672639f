import CKVM
import Glibc

/// KVM_GET_SUPPORTED_CPUID across monitor processes. The kernel answers it by running CPUID for
/// every leaf, and on a host that is itself a VM each CPUID traps (about 0.45 ms for 75 entries
/// here, the largest single cost of a VM's set-up). The answer cannot change while the same KVM
/// is loaded, so it is kept in a root-only file keyed by the kernel's boot id and /dev/kvm's inode
/// and change time (a reloaded module is a new device node). A file that does not match, or is
/// not exactly the format below, is ignored and replaced.
///
/// Format: "mewz-supported-cpuid 1\n", the key line, then nent (u32, little endian) and nent
/// struct kvm_cpuid_entry2.
struct SupportedCPUIDCache {
    static let standard = SupportedCPUIDCache(directory: "/run/mewz-monitor")
    static let magic = Array("mewz-supported-cpuid 1\n".utf8)
    static let maxEntries: UInt32 = 4096

    let directory: String
    var path: String { directory + "/supported-cpuid" }

    /// This boot and this KVM, or nil when either cannot be read (then nothing is cached).
    static func currentKey(devicePath: String = "/dev/kvm") -> [UInt8]? {
        var bootID = [UInt8](repeating: 0, count: 64)
        let fd = Glibc.open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let count = bootID.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        Syscall.close(fd)
        var device = stat()
        guard count > 0, stat(devicePath, &device) == 0 else { return nil }
        let id = bootID[0..<count].filter { $0 != UInt8(ascii: "\n") }
        return Array(id) + Array(" \(device.st_ino) \(device.st_ctim.tv_sec).\(device.st_ctim.tv_nsec)\n".utf8)
    }

    func load(key: [UInt8]) -> CPUIDTable? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { Syscall.close(fd) }
        var info = stat()
        let entrySize = MemoryLayout<kvm_cpuid_entry2>.stride
        let header = Self.magic.count + key.count + 4
        guard fstat(fd, &info) == 0, info.st_uid == geteuid(), info.st_size >= header,
              info.st_size <= header + Int(Self.maxEntries) * entrySize
        else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count == bytes.count, Array(bytes[0..<Self.magic.count]) == Self.magic,
              Array(bytes[Self.magic.count..<(Self.magic.count + key.count)]) == key
        else { return nil }
        let entries = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: header - 4, as: UInt32.self) }
        guard entries <= Self.maxEntries, bytes.count == header + Int(entries) * entrySize,
              let table = CPUIDTable(capacity: entries)
        else { return nil }
        bytes.withUnsafeBytes { raw in
            for index in 0..<Int(entries) {
                ckvm_cpuid2_entry(table.pointer, UInt32(index)).pointee =
                    raw.loadUnaligned(fromByteOffset: header + index * entrySize, as: kvm_cpuid_entry2.self)
            }
        }
        return table
    }

    /// Best effort: a directory or file that cannot be written only means no cache.
    func store(_ table: CPUIDTable, key: [UInt8]) {
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { return }
        var info = stat()
        guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(),
              info.st_mode & 0o077 == 0
        else { return }
        let count = ckvm_cpuid2_count(table.pointer)
        var bytes = Self.magic + key + withUnsafeBytes(of: count.littleEndian) { Array($0) }
        for index in 0..<count {
            bytes += withUnsafeBytes(of: ckvm_cpuid2_entry(table.pointer, index).pointee) { Array($0) }
        }
        let temporary = path + ".\(getpid())"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        let written = (try? Syscall.writeAll(fd, bytes)) != nil
        Syscall.close(fd)
        if !written || rename(temporary, path) != 0 { unlink(temporary) }
    }
}
