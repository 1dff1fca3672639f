import Glibc

/// Whole-file reads and writes over plain file descriptors (no Foundation on the hot path).
enum FileIO {
    /// Reads `fd` to its end, refusing more than `limit` bytes.
    static func readAll(_ fd: Int32, path: String, limit: Int) throws(OCIError) -> [UInt8] {
        var bytes: [UInt8] = []
        // An uninitialised chunk on the stack: most files read here (config.json, cgroup and
        // /proc files) are a few hundred bytes, and zeroing a 64 KiB buffer for each one
        // showed in the start-up profile.
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16 * 1024) { chunk throws(OCIError) in
            while true {
                let count = Syscall.retrying { read(fd, chunk.baseAddress, chunk.count) }
                if count < 0 { throw .system("read", path, errno: errno) }
                if count == 0 { return bytes }
                guard bytes.count + count <= limit else {
                    throw OCIError(.system, "read \(path): larger than \(limit) bytes")
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<count]))
            }
        }
    }

    static func readFile(_ path: String, limit: Int) throws(OCIError) -> [UInt8] {
        let fd = Syscall.retrying { open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) }
        guard fd >= 0 else { throw .system("open", path, errno: errno) }
        defer { close(fd) }
        return try readAll(fd, path: path, limit: limit)
    }

    /// Writes all of `bytes`; returns 0 or the errno of the failed write.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Syscall.retrying { write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset) }
            }
            if written < 0 { return errno }
            offset += written
        }
        return 0
    }

    /// runc's atomic write: `.<name>` beside the target, created O_EXCL, then renamed. Not
    /// fsynced, as runc does not: the state lives in /run, which a reboot empties anyway, and
    /// a sync would cost every `create` a disk flush where /run is not a tmpfs.
    /// `replacingStaleTemporary` removes a leftover temporary first (only safe under a lock).
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t,
                                replacingStaleTemporary: Bool) throws(OCIError) {
        let temporary = PathName.join(PathName.directory(of: path), "." + PathName.base(of: path))
        if replacingStaleTemporary { unlink(temporary) }
        let fd = Syscall.retrying { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, mode) }
        guard fd >= 0 else { throw .system("open", temporary, errno: errno) }
        var failure = writeAll(fd, bytes)
        if close(fd) != 0 && failure == 0 && errno != EINTR { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .system("write", path, errno: failure)
        }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Removes a directory holding only files (a container's state directory).
    /// A missing directory is not an error.
    static func removeDirectory(_ path: String) throws(OCIError) {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return }
            throw .system("open", path, errno: errno)
        }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        for name in names {
            let entryPath = PathName.join(path, name)
            if unlink(entryPath) != 0 && errno != ENOENT {
                if errno == EISDIR && rmdir(entryPath) == 0 { continue }
                throw .system("remove", entryPath, errno: errno)
            }
        }
        if rmdir(path) != 0 && errno != ENOENT {
            throw .system("remove", path, errno: errno)
        }
    }
}
