import CKVM
import CMewzABI
import Glibc

/// MEWZ_HC_FS: the filesystem operations on host volumes (HostVolumes). Every handle, path
/// and buffer comes from the guest and is checked here; a path is resolved beneath the handle
/// (HostVolumes+Resolve) and the answer is the WASI errno Linux's own call gives.
extension Hypercalls {
    func files(_ address: UInt64) -> Action {
        withArgument(mewz_hc_fs.self, at: address, name: "fs") { call in
            call.result = 0
            guard let volumes else {
                call.error = WASIErrno.badDescriptor
                return .resume
            }
            // The guest's fd_close that rode on this call (answered 0 when the guest made it):
            // the handle is free for the call itself, and its descriptor closes after the
            // answer (`afterAnswer`).
            if call.closing != 0 { try? volumes.release(call.closing - 1) }
            do throws(GuestErrno) {
                try fileOperation(&call, volumes)
                call.error = WASIErrno.success
            } catch {
                call.error = error.code
            }
            return .resume
        }
    }

    /// Work a call leaves for after its answer: closing the host descriptors of handles it
    /// released. The ring server does it while the guest goes on; an exit before it resumes.
    func afterAnswer() {
        volumes?.closeReleased()
    }

    private func fileOperation(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        switch call.op {
        case UInt32(MEWZ_FS_MOUNT_INFO.rawValue): try mountInfo(&call, volumes)
        case UInt32(MEWZ_FS_OPEN.rawValue): try openFile(&call, volumes)
        case UInt32(MEWZ_FS_CLOSE.rawValue): try volumes.close(call.handle)
        case UInt32(MEWZ_FS_READ.rawValue), UInt32(MEWZ_FS_PREAD.rawValue),
             UInt32(MEWZ_FS_WRITE.rawValue), UInt32(MEWZ_FS_PWRITE.rawValue):
            try transfer(&call, volumes)
        case UInt32(MEWZ_FS_SEEK.rawValue): try seek(&call, volumes)
        case UInt32(MEWZ_FS_FILESTAT.rawValue): try fileStat(&call, volumes)
        case UInt32(MEWZ_FS_PATH_FILESTAT.rawValue): try pathStat(&call, volumes)
        case UInt32(MEWZ_FS_SET_SIZE.rawValue): try setSize(&call, volumes)
        case UInt32(MEWZ_FS_ALLOCATE.rawValue): try allocate(&call, volumes)
        case UInt32(MEWZ_FS_SET_TIMES.rawValue), UInt32(MEWZ_FS_PATH_SET_TIMES.rawValue):
            try setTimes(&call, volumes)
        case UInt32(MEWZ_FS_SYNC.rawValue), UInt32(MEWZ_FS_DATASYNC.rawValue): try sync(&call, volumes)
        case UInt32(MEWZ_FS_MKDIR.rawValue), UInt32(MEWZ_FS_RMDIR.rawValue), UInt32(MEWZ_FS_UNLINK.rawValue):
            try changeName(&call, volumes)
        case UInt32(MEWZ_FS_RENAME.rawValue), UInt32(MEWZ_FS_LINK.rawValue): try renameOrLink(&call, volumes)
        case UInt32(MEWZ_FS_SYMLINK.rawValue): try symlink(&call, volumes)
        case UInt32(MEWZ_FS_READLINK.rawValue): try readLink(&call, volumes)
        case UInt32(MEWZ_FS_READDIR.rawValue): try readDirectory(&call, volumes)
        case UInt32(MEWZ_FS_SET_FLAGS.rawValue): try setFlags(&call, volumes)
        default: throw GuestErrno(code: WASIErrno.notSupported)
        }
    }

    // MARK: Arguments

    /// The guest's path at (address, length): EFAULT outside guest memory, EINVAL for a NUL.
    /// The bytes are copied once and the copy is checked and decoded: a ring call runs while
    /// the guest runs, and a NUL written between a check of guest memory and a second read of
    /// it would end the host's string early ("..\0x" is ".." to the kernel).
    func guestPath(_ address: UInt64, _ length: UInt64) throws(GuestErrno) -> String {
        guard length < UInt64(PATH_MAX) else { throw GuestErrno(code: WASIErrno.nameTooLong) }
        guard length > 0 else { return "" }
        guard let bytes = memory.slice(address, length) else { throw GuestErrno(code: WASIErrno.fault) }
        // The copy is on the stack (below PATH_MAX): no allocation on the file calls' path.
        let decoded: String? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { copy in
            _ = copy.initialize(from: bytes)
            return copy.contains(0) ? nil : String(decoding: copy, as: UTF8.self)
        }
        guard let decoded else { throw GuestErrno(code: WASIErrno.invalid) }
        return decoded
    }

    func guestBuffer(_ address: UInt64, _ length: UInt64) throws(GuestErrno) -> UnsafeMutableRawBufferPointer {
        guard let bytes = memory.slice(address, length) else { throw GuestErrno(code: WASIErrno.fault) }
        return bytes
    }

    /// Runs a host call returning -1 and errno on failure, EINTR retried.
    @discardableResult
    static func host<T: FixedWidthInteger>(_ body: () -> T) throws(GuestErrno) -> T {
        do throws(Errno) {
            return try Syscall.retrying(body)
        } catch {
            throw GuestErrno(code: WASIErrno.fromFile(error))
        }
    }

    // MARK: Descriptors

    private func mountInfo(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        guard Int(call.handle) < volumes.volumes.count else { throw GuestErrno(code: WASIErrno.badDescriptor) }
        let volume = volumes.volumes[Int(call.handle)]
        let name = Array(volume.destination.utf8)
        call.flags = (volume.readOnly ? UInt32(MEWZ_VOLUME_READONLY) : 0)
        if case .tmpfs(let size) = volume.backing {
            call.flags |= UInt32(MEWZ_VOLUME_TMPFS)
            call.arg0 = size
        }
        call.result = UInt64(name.count)
        guard UInt64(name.count) <= call.buf_len else { throw GuestErrno(code: WASIErrno.overflow) }
        let buffer = try guestBuffer(call.buf_addr, UInt64(name.count))
        buffer.copyBytes(from: name)
    }

    private func seek(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.handle(call.handle)
        guard call.flags <= 2 else { throw GuestErrno(code: WASIErrno.invalid) }  // SET, CUR, END as Linux
        let offset = try Self.host { lseek(handle.fd, off_t(Int64(bitPattern: call.arg0)), Int32(call.flags)) }
        call.result = UInt64(offset)
    }

    private func transfer(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.handle(call.handle)
        guard call.buf_len <= UInt64(MEWZ_HC_IOV_MAX) else { throw GuestErrno(code: WASIErrno.invalid) }
        let positioned = call.op == UInt32(MEWZ_FS_PREAD.rawValue) || call.op == UInt32(MEWZ_FS_PWRITE.rawValue)
        let count: Int
        if call.buf_len == 1 {
            // One buffer, the usual case: no vector array to build.
            let vector = try hostVector(at: call.buf_addr)
            guard vector.iov_len > 0 else { return }
            guard !positioned || call.arg0 <= UInt64(Int64.max) else { throw GuestErrno(code: WASIErrno.invalid) }
            count = try Self.transferOne(call.op, handle.fd, vector.iov_base, vector.iov_len, off_t(Int64(bitPattern: call.arg0)))
        } else {
            let vectors = try hostVectors(count: UInt32(call.buf_len), at: call.buf_addr)
            guard !vectors.isEmpty else { return }
            guard !positioned || call.arg0 <= UInt64(Int64.max) else { throw GuestErrno(code: WASIErrno.invalid) }
            let offset = off_t(Int64(bitPattern: call.arg0))
            count = try vectors.withUnsafeBufferPointer { list throws(GuestErrno) in
                let base = list.baseAddress, n = Int32(list.count)
                switch call.op {
                case UInt32(MEWZ_FS_READ.rawValue): return try Self.host { Glibc.readv(handle.fd, base, n) }
                case UInt32(MEWZ_FS_WRITE.rawValue): return try Self.host { Glibc.writev(handle.fd, base, n) }
                case UInt32(MEWZ_FS_PREAD.rawValue): return try Self.host { Glibc.preadv(handle.fd, base, n, offset) }
                default: return try Self.host { Glibc.pwritev(handle.fd, base, n, offset) }
                }
            }
        }
        call.result = UInt64(count)
        if call.op == UInt32(MEWZ_FS_WRITE.rawValue) || call.op == UInt32(MEWZ_FS_PWRITE.rawValue) {
            volumes.noteWritten(call.handle, count)
        }
    }

    /// One buffer's read, write, pread or pwrite (`op`).
    private static func transferOne(_ op: UInt32, _ fd: Int32, _ base: UnsafeMutableRawPointer?, _ length: Int,
                                    _ offset: off_t) throws(GuestErrno) -> Int {
        switch op {
        case UInt32(MEWZ_FS_READ.rawValue): return try host { Glibc.read(fd, base, length) }
        case UInt32(MEWZ_FS_WRITE.rawValue): return try host { Glibc.write(fd, base, length) }
        case UInt32(MEWZ_FS_PREAD.rawValue): return try host { Glibc.pread(fd, base, length, offset) }
        default: return try host { Glibc.pwrite(fd, base, length, offset) }
        }
    }

    private func setSize(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.handle(call.handle)
        guard call.arg0 <= UInt64(Int64.max) else { throw GuestErrno(code: WASIErrno.invalid) }
        try Self.host { ftruncate(handle.fd, off_t(call.arg0)) }
    }

    private func allocate(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.handle(call.handle)
        let (end, overflow) = call.arg0.addingReportingOverflow(call.arg1)
        guard !overflow, end <= UInt64(Int64.max), call.arg1 > 0 else { throw GuestErrno(code: WASIErrno.invalid) }
        try Self.host { ckvm_fallocate(handle.fd, Int64(call.arg0), Int64(call.arg1)) }
    }

    /// fd_sync and fd_datasync: the host's fsync or fdatasync, done before the guest goes on.
    private func sync(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.handle(call.handle)
        if call.op == UInt32(MEWZ_FS_SYNC.rawValue) {
            try Self.host { fsync(handle.fd) }
        } else {
            try Self.host { fdatasync(handle.fd) }
        }
    }

    /// APPEND and NONBLOCK, as F_SETFL changes them.
    private func setFlags(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let handle = try volumes.handle(call.handle)
        var flags = try Self.host { fcntl(handle.fd, F_GETFL) } & ~(O_APPEND | O_NONBLOCK)
        if call.flags & 1 != 0 { flags |= O_APPEND }  // __WASI_FDFLAGS_APPEND
        if call.flags & 4 != 0 { flags |= O_NONBLOCK }  // __WASI_FDFLAGS_NONBLOCK
        try Self.host { fcntl(handle.fd, F_SETFL, flags) }
    }
}
