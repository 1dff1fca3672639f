import CKVM
import CMewzABI
import Glibc

/// MEWZ_FS path operations, metadata and directory listing on host volumes. Every name is
/// handed to a *at call as one component of a parent resolved beneath the handle
/// (HostVolumes.parent), so no call here follows a path the kernel has not confined.
extension Hypercalls {
    /// A resolved parent, closed when `body` is done.
    func withParent<T>(_ volumes: HostVolumes, _ handle: UInt32, _ address: UInt64, _ length: UInt64, follow: Bool,
                       _ body: (HostVolumes.Handle, Int32, String) throws(GuestErrno) -> T) throws(GuestErrno) -> T {
        let directory = try volumes.directory(handle)
        let path = try guestPath(address, length)
        // One name right in the directory, not followed: the directory is its parent (no
        // open and close of it again, for the commonest case).
        if !follow, Self.isPlainName(path) {
            return try body(directory, directory.fd, path)
        }
        let (parent, last) = try HostVolumes.parent(of: path, beneath: directory.fd, follow: follow)
        defer { Syscall.close(parent) }
        return try body(directory, parent, last)
    }

    /// One name that is not "." or "..": no slash and no NUL (compared as bytes, the hot
    /// path's way).
    static func isPlainName(_ path: String) -> Bool {
        let bytes = path.utf8
        guard !bytes.isEmpty, !bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == 0 }) else { return false }
        return bytes.contains { $0 != UInt8(ascii: ".") } || bytes.count > 2
    }

    func changeName(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let op = call.op
        try withParent(volumes, call.handle, call.path_addr, call.path_len, follow: false) {
            (directory, parent, last) throws(GuestErrno) in
            try volumes.writable(directory)
            switch op {
            case UInt32(MEWZ_FS_MKDIR.rawValue): try Self.host { mkdirat(parent, last, 0o777) }
            case UInt32(MEWZ_FS_RMDIR.rawValue): try Self.host { unlinkat(parent, last, AT_REMOVEDIR) }
            default: try Self.host { unlinkat(parent, last, 0) }
            }
        }
    }

    /// path_rename and path_link: both names in the same volume, or EXDEV.
    func renameOrLink(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let rename = call.op == UInt32(MEWZ_FS_RENAME.rawValue)
        let follow = !rename && call.arg0 & 1 != 0
        let newHandle = call.handle2, newAddress = call.path2_addr, newLength = call.path2_len
        try withParent(volumes, call.handle, call.path_addr, call.path_len, follow: follow) {
            (from, oldParent, oldName) throws(GuestErrno) in
            try withParent(volumes, newHandle, newAddress, newLength, follow: false) {
                (to, newParent, newName) throws(GuestErrno) in
                guard from.mount == to.mount else { throw GuestErrno(code: WASIErrno.crossDevice) }
                try volumes.writable(from)
                if rename {
                    try Self.host { renameat(oldParent, oldName, newParent, newName) }
                } else {
                    try Self.host { linkat(oldParent, oldName, newParent, newName, 0) }
                }
            }
        }
    }

    /// path_symlink: a relative target is stored as given (following it later is confined like
    /// every other path); an absolute one could only ever point outside, so it is refused with
    /// EPERM, as wasmtime refuses it.
    func symlink(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let target = try guestPath(call.path_addr, call.path_len)
        guard !target.isEmpty else { throw GuestErrno(code: WASIErrno.noEntry) }
        guard !target.hasPrefix("/") else { throw GuestErrno(code: WASIErrno.permission) }
        try withParent(volumes, call.handle, call.path2_addr, call.path2_len, follow: false) {
            (directory, parent, name) throws(GuestErrno) in
            try volumes.writable(directory)
            try Self.host { symlinkat(target, parent, name) }
        }
    }

    /// path_readlink: as many bytes as fit (a longer target is cut, as wasmtime does).
    func readLink(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let buffer = try guestBuffer(call.buf_addr, call.buf_len)
        let count = try withParent(volumes, call.handle, call.path_addr, call.path_len, follow: false) {
            (_, parent, name) throws(GuestErrno) -> Int in
            var target = [UInt8](repeating: 0, count: Int(PATH_MAX))
            let length = try Self.host { readlinkat(parent, name, &target, target.count) }
            let count = min(length, buffer.count)
            if count > 0 { buffer.copyBytes(from: target[..<count]) }
            return count
        }
        call.result = UInt64(count)
    }

    // MARK: Metadata

    func fileStat(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.handle(call.handle)
        var info = stat()
        try Self.host { fstat(handle.fd, &info) }
        try storeFilestat(info, at: call.buf_addr)
    }

    func pathStat(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        var info = stat()
        try withParent(volumes, call.handle, call.path_addr, call.path_len, follow: call.arg0 & 1 != 0) {
            (_, parent, name) throws(GuestErrno) in
            try Self.host { fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) }
        }
        try storeFilestat(info, at: call.buf_addr)
    }

    /// WASI filestat: dev, ino, u8 filetype (7 bytes padding), nlink, size, atim, mtim, ctim.
    func storeFilestat(_ info: stat, at address: UInt64) throws(GuestErrno) {
        let out = try guestBuffer(address, 64)
        let words: [(Int, UInt64)] = [
            (0, UInt64(info.st_dev)), (8, UInt64(info.st_ino)), (16, UInt64(Self.wasiFiletype(info.st_mode))),
            (24, UInt64(info.st_nlink)), (32, UInt64(clamping: info.st_size)), (40, Self.wasiTimestamp(info.st_atim)),
            (48, Self.wasiTimestamp(info.st_mtim)), (56, Self.wasiTimestamp(info.st_ctim)),
        ]
        for (offset, value) in words { out.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self) }
    }

    /// A host file time as WASI's unsigned nanoseconds since 1970: a time before 1970 (which a
    /// volume's files may well have: `touch -d 1960-01-01`) is 0, one past 2554 the largest.
    static func wasiTimestamp(_ time: timespec) -> UInt64 {
        guard time.tv_sec >= 0 else { return 0 }
        let (whole, overflow) = UInt64(time.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, carry) = whole.addingReportingOverflow(UInt64(clamping: time.tv_nsec))
        return overflow || carry ? UInt64.max : sum
    }

    /// fd_filestat_set_times and path_filestat_set_times: fstflags ATIM 1, ATIM_NOW 2, MTIM 4,
    /// MTIM_NOW 8 (the guest has refused contradictory ones).
    func setTimes(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        func time(_ value: UInt64, set: UInt32, now: UInt32) -> timespec {
            if call.flags & now != 0 { return timespec(tv_sec: 0, tv_nsec: CKVM_UTIME_NOW) }
            if call.flags & set != 0 {
                return timespec(tv_sec: Int(value / 1_000_000_000), tv_nsec: Int(value % 1_000_000_000))
            }
            return timespec(tv_sec: 0, tv_nsec: CKVM_UTIME_OMIT)
        }
        var times = [time(call.arg0, set: 1, now: 2), time(call.arg1, set: 4, now: 8)]
        if call.op == UInt32(MEWZ_FS_SET_TIMES.rawValue) {
            let handle = try volumes.handle(call.handle)
            try volumes.writable(handle)
            try Self.host { futimens(handle.fd, &times) }
            return
        }
        try withParent(volumes, call.handle, call.path_addr, call.path_len, follow: call.arg2 & 1 != 0) {
            (directory, parent, name) throws(GuestErrno) in
            try volumes.writable(directory)
            try Self.host { utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW) }
        }
    }

    // MARK: Directories

    /// fd_readdir from `cookie` (arg0): WASI dirents (d_next, d_ino, d_namlen, d_type, name)
    /// packed into the buffer, the last one cut when it does not fit, as the witx asks. A
    /// cookie is the host's directory offset of the next entry (getdents64 d_off), stable
    /// across calls and usable with lseek, as wasmtime's are.
    func readDirectory(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.directory(call.handle)
        let out = try guestBuffer(call.buf_addr, call.buf_len)
        guard call.arg0 <= UInt64(Int64.max) else { throw GuestErrno(code: WASIErrno.invalid) }
        try Self.host { lseek(handle.fd, off_t(call.arg0), SEEK_SET) }
        var used = 0
        var host = [UInt8](repeating: 0, count: 32 * 1024)
        while used < out.count {
            let size = UInt(host.count)
            let count = try Self.host { host.withUnsafeMutableBytes { ckvm_getdents64(handle.fd, $0.baseAddress, size) } }
            if count == 0 { break }
            var offset = 0
            while offset < count && used < out.count {
                // linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name NUL-terminated.
                let ino = host.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
                let next = host.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self) }
                let length = Int(host.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 16, as: UInt16.self) })
                let type = host[offset + 18]
                let nameStart = offset + 19
                let nameEnd = host[nameStart..<(offset + length)].firstIndex(of: 0) ?? (offset + length)
                var entry = [UInt8](repeating: 0, count: 24)
                entry.withUnsafeMutableBytes { raw in
                    raw.storeBytes(of: next.littleEndian, toByteOffset: 0, as: UInt64.self)
                    raw.storeBytes(of: ino.littleEndian, toByteOffset: 8, as: UInt64.self)
                    raw.storeBytes(of: UInt32(nameEnd - nameStart).littleEndian, toByteOffset: 16, as: UInt32.self)
                    raw[20] = Self.wasiDirentType(type)
                }
                entry += host[nameStart..<nameEnd]
                let fits = min(entry.count, out.count - used)
                UnsafeMutableRawBufferPointer(rebasing: out[used..<(used + fits)]).copyBytes(from: entry[..<fits])
                used += fits
                offset += length
            }
        }
        call.result = UInt64(used)
    }

    /// getdents64 d_type (DT_*) to a WASI filetype.
    static func wasiDirentType(_ type: UInt8) -> UInt8 {
        switch Int32(type) {
        case Int32(DT_BLK): return 1
        case Int32(DT_CHR): return 2
        case Int32(DT_DIR): return 3
        case Int32(DT_REG): return 4
        case Int32(DT_SOCK): return 6
        case Int32(DT_LNK): return 7
        default: return 0
        }
    }
}
