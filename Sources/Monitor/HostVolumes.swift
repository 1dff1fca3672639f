import CKVM
import CMewzABI
import Glibc

/// The host side of the guest's volumes: the mount table and the host descriptors the guest
/// holds through MEWZ_HC_FS handles. A mount's root is handle `index`; every other handle is
/// a file or directory opened beneath one of them (HostVolumes+Resolve) and remembers which
/// mount it is in, so a rename or link across mounts is EXDEV and a read-only mount refuses
/// every change with EROFS. The monitor is single-threaded: no locking.
final class HostVolumes {
    struct Handle {
        let fd: Int32
        /// Index into `volumes`.
        let mount: Int
        let isDirectory: Bool
        /// Bytes written through the handle since its file's writeback was last started.
        var unflushed: UInt64 = 0
    }

    /// After this many bytes written through one handle, the write that passes it also starts
    /// the writeback of the file's dirty pages (`noteWritten`), which the disk then does while
    /// the guest writes on. A stream that ends in fsync (a download, a database file, a large
    /// output) finds most of its data already written instead of all of it in the page cache.
    /// Files written less than this are left to the kernel, as they would be without it.
    static let writeBehindBytes: UInt64 = 4 << 20

    let volumes: [Volume]
    /// Read on every file call; handlers run one at a time (the ring's lock), so the dynamic
    /// exclusivity check each access would pay is left out.
    @exclusivity(unchecked) private var handles: [Handle?]
    /// Host descriptors of handles released by a call, closed once that call is answered
    /// (`closeReleased`): the guest goes on meanwhile.
    @exclusivity(unchecked) private var released: [Int32] = []

    /// Opens every host directory; a source that cannot be opened as a directory fails the VM's
    /// creation with one line. tmpfs volumes hold no handle (the guest serves them).
    init(_ volumes: [Volume]) throws(MonitorError) {
        guard volumes.count <= Volume.maximumCount else {
            throw .badConfiguration("\(volumes.count) volumes (at most \(Volume.maximumCount))")
        }
        self.volumes = volumes
        handles = []
        _ = WASIErrno.fileTable  // built now, not while confined
        for (index, volume) in volumes.enumerated() {
            guard case .hostDirectory(let source) = volume.backing else {
                handles.append(nil)
                continue
            }
            let fd = Glibc.open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else {
                let failure = Errno.current
                closeAll()
                throw .badConfiguration("mount \(volume.destination): open source \(source): \(failure)")
            }
            if handles.allSatisfy({ $0 == nil }) { Self.probeKernelResolution(fd) }
            handles.append(Handle(fd: fd, mount: index, isDirectory: true))
        }
    }

    deinit { closeAll() }

    private func closeAll() {
        for handle in handles.compactMap({ $0 }) { Syscall.close(handle.fd) }
        handles = []
        closeReleased()
    }

    /// The open handle `number`: EBADF when the guest holds no such handle.
    func handle(_ number: UInt32) throws(GuestErrno) -> Handle {
        guard Int(number) < handles.count, let handle = handles[Int(number)] else {
            throw GuestErrno(code: WASIErrno.badDescriptor)
        }
        return handle
    }

    /// A directory handle for a path operation: EBADF, or ENOTDIR for a file.
    func directory(_ number: UInt32) throws(GuestErrno) -> Handle {
        let handle = try handle(number)
        guard handle.isDirectory else { throw GuestErrno(code: WASIErrno.notDirectory) }
        return handle
    }

    /// EROFS when the handle's mount is read-only.
    func writable(_ handle: Handle) throws(GuestErrno) {
        if volumes[handle.mount].readOnly { throw GuestErrno(code: WASIErrno.readOnlyFilesystem) }
    }

    /// Takes ownership of `fd`: the lowest free handle past the mount roots, or EMFILE (the fd
    /// is closed) past MEWZ_FS_HANDLE_MAX.
    func add(fd: Int32, mount: Int, isDirectory: Bool) throws(GuestErrno) -> UInt32 {
        let entry = Handle(fd: fd, mount: mount, isDirectory: isDirectory)
        if let free = handles.indices.dropFirst(volumes.count).first(where: { handles[$0] == nil }) {
            handles[free] = entry
            return UInt32(free)
        }
        guard handles.count < Int(MEWZ_FS_HANDLE_MAX) else {
            Syscall.close(fd)
            throw GuestErrno(code: WASIErrno.tooManyFiles)
        }
        handles.append(entry)
        return UInt32(handles.count - 1)
    }

    func close(_ number: UInt32) throws(GuestErrno) {
        let handle = try handle(number)
        handles[Int(number)] = nil
        Syscall.close(handle.fd)
    }

    /// Frees handle `number` now (a call may reuse it at once) and leaves its host descriptor
    /// for `closeReleased`.
    func release(_ number: UInt32) throws(GuestErrno) {
        let handle = try handle(number)
        handles[Int(number)] = nil
        released.append(handle.fd)
    }

    /// Counts `bytes` written through handle `number`; every `writeBehindBytes` of them start
    /// the writeback of its file (sync_file_range, which does not wait for the disk; an error
    /// of that writeback stays for fsync to report, as the kernel's own writeback's does).
    func noteWritten(_ number: UInt32, _ bytes: Int) {
        guard bytes > 0, Int(number) < handles.count, var handle = handles[Int(number)] else { return }
        handle.unflushed += UInt64(bytes)
        if handle.unflushed >= Self.writeBehindBytes {
            handle.unflushed = 0
            _ = ckvm_start_writeback(handle.fd)
        }
        handles[Int(number)] = handle
    }

    /// Closes the descriptors `release` left.
    func closeReleased() {
        guard !released.isEmpty else { return }
        for fd in released { Syscall.close(fd) }
        released.removeAll(keepingCapacity: true)
    }
}
