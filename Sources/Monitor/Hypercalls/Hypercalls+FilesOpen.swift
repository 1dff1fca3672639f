import CKVM
import CMewzABI
import Glibc

/// MEWZ_FS_OPEN. The path is first resolved to an CKVM_O_PATH descriptor, which never opens the
/// object itself, so a fifo, socket or device node found in a volume is refused (ENXIO)
/// before anything could block on it or touch the device; the real open then runs
/// non-blocking and is checked again: a name swapped for a fifo or device node in between is
/// refused the same way, though that open has reached it (README, Volumes: the window left).
extension Hypercalls {
    /// WASI oflags, lookupflags and fdflags bits (wasi_snapshot_preview1 witx).
    enum WASIOpen {
        static let create: UInt32 = 1, directory: UInt32 = 2, exclusive: UInt32 = 4, truncate: UInt32 = 8
        static let append: UInt64 = 1, dataSync: UInt64 = 2, nonBlocking: UInt64 = 4, readSync: UInt64 = 8, sync: UInt64 = 16
        static let read: UInt64 = 1, write: UInt64 = 2
    }

    func openFile(_ call: inout mewz_hc_fs, _ volumes: HostVolumes) throws(GuestErrno) {
        let directory = try volumes.directory(call.handle)
        let path = try guestPath(call.path_addr, call.path_len)
        let oflags = call.flags, fdflags = call.arg1, access = call.arg2
        let follow = call.arg0 & 1 != 0
        let writes = access & WASIOpen.write != 0 || oflags & WASIOpen.truncate != 0
        if volumes.volumes[directory.mount].readOnly && (writes || oflags & WASIOpen.create != 0) {
            // Linux on a read-only mount: EEXIST and EISDIR still come first.
            if let existing = try? HostVolumes.openBeneath(directory.fd, path, CKVM_O_PATH | (follow ? 0 : O_NOFOLLOW)) {
                Syscall.close(existing)
                if oflags & WASIOpen.create != 0 && oflags & WASIOpen.exclusive != 0 {
                    throw GuestErrno(code: WASIErrno.exists)
                }
            }
            throw GuestErrno(code: WASIErrno.readOnlyFilesystem)
        }

        var flags = O_NOCTTY | O_NONBLOCK
        if !follow { flags |= O_NOFOLLOW }
        if oflags & WASIOpen.directory != 0 { flags |= O_DIRECTORY }
        if oflags & WASIOpen.create != 0 { flags |= O_CREAT }
        if oflags & WASIOpen.exclusive != 0 { flags |= O_EXCL }
        if oflags & WASIOpen.truncate != 0 { flags |= O_TRUNC }
        if fdflags & WASIOpen.append != 0 { flags |= O_APPEND }
        if fdflags & WASIOpen.dataSync != 0 { flags |= O_DSYNC }
        if fdflags & WASIOpen.sync != 0 { flags |= O_SYNC }
        if fdflags & WASIOpen.readSync != 0 { flags |= O_RSYNC }

        // Most creates make a new file: try exactly that first (O_EXCL), one system call. What
        // it opens is certainly a new regular file, never a fifo or a device; when something
        // is there already (EEXIST, also for a link, which O_EXCL does not follow), the
        // general path below looks first.
        if oflags & WASIOpen.create != 0, oflags & WASIOpen.exclusive == 0, oflags & WASIOpen.directory == 0 {
            var fresh = (flags & ~O_TRUNC) | O_EXCL
            switch (access & WASIOpen.write != 0, access & WASIOpen.read != 0) {
            case (true, true): fresh |= O_RDWR
            case (true, false): fresh |= O_WRONLY
            default: fresh |= O_RDONLY
            }
            do throws(GuestErrno) {
                let fd = try HostVolumes.openBeneath(directory.fd, path, fresh, mode: 0o666)
                do throws(GuestErrno) {
                    call.result = UInt64(try volumes.add(fd: fd, mount: directory.mount, isDirectory: false))
                } catch {
                    Syscall.close(fd)
                    throw error
                }
                call.handle2 = UInt32(Self.wasiFiletype(S_IFREG))
                return
            } catch where error.code == WASIErrno.exists {
                // Something is there: the general path decides.
            }
        }

        // Look before opening: what exists must be a file, a directory or (unfollowed) a link.
        var existing = stat()
        var exists = false
        if let probe = try? HostVolumes.openBeneath(directory.fd, path, CKVM_O_PATH | (follow ? 0 : O_NOFOLLOW)) {
            defer { Syscall.close(probe) }
            exists = fstat(probe, &existing) == 0
            if exists && !Self.openable(existing.st_mode) { throw GuestErrno(code: WASIErrno.noDeviceOrAddress) }
        }
        let isDirectory = exists && existing.st_mode & S_IFMT == S_IFDIR
        switch (access & WASIOpen.write != 0, access & WASIOpen.read != 0 || isDirectory) {
        case (true, true): flags |= O_RDWR
        case (true, false): flags |= O_WRONLY
        default: flags |= O_RDONLY
        }
        // A directory opened for writing is Linux's EISDIR; read-only it is the handle. openat2
        // refuses a mode without O_CREAT.
        let fd = try HostVolumes.openBeneath(directory.fd, path, flags, mode: flags & O_CREAT != 0 ? 0o666 : 0)
        var opened = stat()
        guard fstat(fd, &opened) == 0, Self.openable(opened.st_mode), opened.st_mode & S_IFMT != S_IFLNK else {
            Syscall.close(fd)
            throw GuestErrno(code: WASIErrno.noDeviceOrAddress)
        }
        // O_NONBLOCK stays set even when the guest did not ask for it: it only kept a fifo or
        // device from blocking the open, and on what may be opened (regular files and
        // directories) Linux ignores it. Clearing it would be two more system calls per open.
        let openedDirectory = opened.st_mode & S_IFMT == S_IFDIR
        call.result = UInt64(try volumes.add(fd: fd, mount: directory.mount, isDirectory: openedDirectory))
        call.handle2 = UInt32(Self.wasiFiletype(opened.st_mode))
    }

    /// Regular files, directories and symlinks; never fifos, sockets or device nodes.
    static func openable(_ mode: mode_t) -> Bool {
        let type = mode & S_IFMT
        return type == S_IFREG || type == S_IFDIR || type == S_IFLNK
    }

    /// WASI filetype numbers.
    static func wasiFiletype(_ mode: mode_t) -> UInt8 {
        switch mode & S_IFMT {
        case S_IFBLK: return 1
        case S_IFCHR: return 2
        case S_IFDIR: return 3
        case S_IFREG: return 4
        case S_IFSOCK: return 6
        case S_IFLNK: return 7
        default: return 0
        }
    }
}
