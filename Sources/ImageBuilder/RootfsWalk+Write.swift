import CShim
import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension RootfsWalk {
    /// The ROFS layout of the walked tree.
    func layout() throws(ImageBuildError) -> ROFSLayout {
        do {
            return try ROFSLayout(tree)
        } catch {
            throw .rootfsEntry(root, error)
        }
    }

    /// Appends the ROFS to `writer`: the layout's metadata, then every file's
    /// bytes, read again through directory fds (O_NOFOLLOW at each step) and
    /// checked to be the file the walk saw, unchanged before and after the
    /// read; then the padding.
    func write(_ layout: ROFSLayout, to writer: ImageFileWriter) throws(ImageBuildError) {
        let cursor = DirectoryCursor(walk: self)
        defer { cursor.closeAll() }
        for chunk in layout.chunks {
            switch chunk {
            case .bytes(let bytes):
                try writer.append(bytes)
            case .zeros(let count):
                try writer.appendZeros(count)
            case .external(let source, let size):
                guard files.indices.contains(source) else { throw .rootfsChanged(root) }
                try copy(files[source], size: size, cursor: cursor, to: writer)
            }
        }
    }

    private func copy(_ file: File, size: UInt64, cursor: DirectoryCursor, to writer: ImageFileWriter) throws(ImageBuildError) {
        let path = hostPath(directory: file.directory, name: file.name)
        let directoryFD = try cursor.open(file.directory)
        // Checked before it is opened: a name swapped for a device node since the walk is
        // refused without opening the device (a driver's open can act).
        let fd = cshim_open_regular_at(directoryFD, file.name.cString, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        if fd == -2 { throw .rootfsChanged(path) }
        guard fd >= 0 else {
            throw errno == ELOOP || errno == ENOENT ? .rootfsChanged(path) : .rootfsUnreadable(path, errno: errno)
        }
        defer { close(fd) }
        guard Self.identity(of: fd) == file.identity, file.identity.size == size else { throw .rootfsChanged(path) }
        // Sequential reads: let the kernel read ahead and drop the pages
        // behind (the image has its own copy).
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        guard try writer.append(from: fd, count: size, path: path) else { throw .rootfsChanged(path) }
        guard Self.identity(of: fd) == file.identity else { throw .rootfsChanged(path) }
    }

    static func identity(of fd: Int32) -> Identity? {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return identity(info)
    }

    /// What the walk records of an entry, and the copy checks it against.
    static func identity(_ info: stat) -> Identity {
        Identity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: UInt64(max(info.st_size, 0)),
            modification: nanoseconds(info.st_mtim), change: nanoseconds(info.st_ctim))
    }

    /// Times before the epoch become 0.
    static func nanoseconds(_ time: timespec) -> UInt64 {
        time.tv_sec < 0 ? 0 : UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(max(time.tv_nsec, 0))
    }
}

/// Open directory fds along one path from the rootfs, reused while files
/// of the same directories are read. Each directory is reopened by name
/// with O_NOFOLLOW | O_DIRECTORY from its parent and must be the one the
/// walk saw (same device and inode), so a directory replaced by a symlink
/// or moved meanwhile is an error, never a way out of the rootfs.
final class DirectoryCursor {
    private let walk: RootfsWalk
    /// Walk indices and fds, from the root down.
    private var chain: [(index: Int, fd: Int32)] = []

    init(walk: RootfsWalk) { self.walk = walk }

    func open(_ index: Int) throws(ImageBuildError) -> Int32 {
        var wanted: [Int] = [index]
        while let last = wanted.last, last != 0 { wanted.append(walk.directories[last].parent) }
        wanted.reverse()
        var common = 0
        while common < chain.count, common < wanted.count, chain[common].index == wanted[common] { common += 1 }
        while chain.count > common { close(chain.removeLast().fd) }
        for position in common..<wanted.count {
            let directory = walk.directories[wanted[position]]
            let path = walk.hostPath(directory: wanted[position])
            let fd = position == 0
                ? Glibc.open(walk.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                : openat(chain[position - 1].fd, directory.name.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                throw errno == ENOENT || errno == ENOTDIR || errno == ELOOP
                    ? .rootfsChanged(path) : .rootfsUnreadable(path, errno: errno)
            }
            var info = stat()
            guard fstat(fd, &info) == 0, UInt64(info.st_dev) == directory.identity.device,
                  UInt64(info.st_ino) == directory.identity.inode
            else {
                close(fd)
                throw .rootfsChanged(path)
            }
            chain.append((wanted[position], fd))
        }
        return chain[chain.count - 1].fd
    }

    func closeAll() {
        while let last = chain.popLast() { close(last.fd) }
    }
}
