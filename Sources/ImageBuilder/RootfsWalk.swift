import CShim
import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One walk of a bundle's rootfs: the ROFS tree it becomes (file data left
/// in the files, `.external` with the index into `files`), and its key.
///
/// The walk goes through directory fds only (openat with O_NOFOLLOW |
/// O_DIRECTORY, fstatat with AT_SYMLINK_NOFOLLOW), so it never follows a
/// symlink and reads nothing outside the rootfs. Symlinks are stored as they
/// are (the guest resolves them inside the ROFS); hard links are found by
/// (dev, ino) and stored once; device nodes, fifos and sockets are skipped
/// with one warning each. Entries are visited in name order, so the walk of
/// an unchanged tree is always the same.
///
/// The key is a digest of the walk's metadata, not of the file contents:
/// path, type, mode, size, mtime, ctime and inode number of every entry,
/// symlink targets and hard-link structure. A hit then costs a walk of
/// fstatat calls, not a read of every byte. Any write to a file changes
/// its ctime (which no user can set back), so an edited rootfs never hits
/// a stale entry. The device number of the rootfs is part of the key, except
/// on overlayfs, where every mount (one per podman or containerd container)
/// gets a new one while its files are the layers' on the host's filesystem.
/// Without it, a rootfs on a filesystem image (a loop-mounted ext4, erofs,
/// squashfs: their inode numbers and ctimes are the image's, not the
/// kernel's) could copy another rootfs's metadata with different contents
/// and be served that one's cached ROFS. A file changed within the
/// filesystem's timestamp granularity of the walk could keep its ctime, so
/// a walk that sees a ctime less than `defaultRacyMargin` before its start is not
/// cacheable (git's "racily clean" rule): its ROFS serves that one
/// container and is not kept.
public struct RootfsWalk: Sendable {
    /// How deep the walk goes. It recurses a level a directory, with a descriptor open at each:
    /// a rootfs made deeper than this (not from a tar, whose paths stop at PATH_MAX, about 2,000
    /// levels) would otherwise end the process with a stack overflow.
    static let depthLimit = 1024

    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: UInt64
        var modification: UInt64
        var change: UInt64
    }

    struct Directory: Sendable {
        /// Index of the parent in `directories` (the root's is itself).
        var parent: Int
        var name: [UInt8]
        var identity: Identity
    }

    struct File: Sendable {
        /// Index of the holding directory in `directories`.
        var directory: Int
        var name: [UInt8]
        var identity: Identity
    }

    /// Nanoseconds: a ctime this close to the walk's start (or after it)
    /// makes the walk uncacheable. Far above any filesystem's timestamp
    /// granularity (a jiffy for the coarse clock most use).
    public static let defaultRacyMargin: UInt64 = 1_000_000_000
    /// Bumped whenever the key's records or the ROFS layout change.
    static let keyVersion = "mewz-rootfs-key-2"
    /// statfs f_type of overlayfs (linux/magic.h OVERLAYFS_SUPER_MAGIC).
    static let overlayFilesystem = 0x794c_7630

    public let root: String
    public internal(set) var tree: ROFSTree
    var directories: [Directory] = []
    var files: [File] = []
    public internal(set) var key: SHA256Digest = .zero
    /// Bytes of file data, each hard-linked file once.
    public internal(set) var dataBytes: UInt64 = 0
    public internal(set) var newestChange: UInt64 = 0
    public let startTime: UInt64
    let racyMargin: UInt64

    public var fileCount: Int { files.count }

    /// Whether the ROFS of this walk may be kept in the cache under `key`.
    public var isCacheable: Bool { newestChange < startTime && startTime - newestChange >= racyMargin }

    /// Walks `root` (a directory; a symlink naming one is followed, as the
    /// caller chose the path). `warn` receives one line per skipped entry.
    public static func walk(_ root: String, racyMargin: UInt64 = defaultRacyMargin,
                            warn: @escaping (String) -> Void = { _ in }) throws(ImageBuildError) -> RootfsWalk {
        var walker = Walker(root: root, racyMargin: racyMargin, warn: warn)
        try walker.run()
        return walker.result
    }

    /// A walk whose key can be trusted later (an ahead-of-time build, whose image `create` will
    /// match by that key): when the tree changed within the racy margin, waits until the
    /// margin has passed and walks again, so every byte is read after any change the key
    /// could miss. After `attempts` walks of a tree that keeps changing, returns the last one,
    /// still not cacheable.
    public static func settledWalk(_ root: String, attempts: Int = 3, warn: @escaping (String) -> Void = { _ in })
        throws(ImageBuildError) -> RootfsWalk
    {
        var walk = try Self.walk(root, warn: warn)
        var attempt = 1
        while !walk.isCacheable, attempt < attempts {
            let wait = min(walk.newestChange &+ walk.racyMargin &- walk.startTime, walk.racyMargin) &+ 1_000_000
            var pause = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&pause, &remaining) != 0, errno == EINTR { pause = remaining }
            walk = try Self.walk(root, warn: { _ in })
            attempt += 1
        }
        return walk
    }

    /// The host path of an entry, for messages.
    func hostPath(directory: Int, name: [UInt8]? = nil) -> String {
        var components: [[UInt8]] = name.map { [$0] } ?? []
        var current = directory
        while current != 0 {
            components.append(directories[current].name)
            current = directories[current].parent
        }
        return ([root] + components.reversed().map { String(decoding: $0, as: UTF8.self) }).joined(separator: "/")
    }
}

/// The state of one walk.
private struct Walker {
    let warn: (String) -> Void
    var result: RootfsWalk
    var hasher = SHA256()
    /// Non-directories with more than one link, by (dev, ino): their tree
    /// inode and the path that first named them.
    var links: [LinkKey: (inode: ROFSTree.InodeID, path: [UInt8])] = [:]

    struct LinkKey: Hashable { var device: UInt64, inode: UInt64 }

    init(root: String, racyMargin: UInt64, warn: @escaping (String) -> Void) {
        self.warn = warn
        result = RootfsWalk(root: root, tree: ROFSTree(), startTime: Self.now(), racyMargin: racyMargin)
    }

    mutating func run() throws(ImageBuildError) {
        let fd = open(result.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .rootfsOpen(result.root, errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .rootfsOpen(result.root, errno: code)
        }
        result.tree = ROFSTree(rootMetadata: Self.metadata(info))
        result.directories.append(.init(parent: 0, name: [], identity: RootfsWalk.identity(info)))
        hasher.update(RootfsWalk.keyVersion)
        hasher.update("rofs \(ROFS.version)")
        if cshim_filesystem_type(fd) != RootfsWalk.overlayFilesystem {
            hasher.update("device \(info.st_dev)")
        }
        record(path: [], type: 3, info)
        try walkDirectory(fd, index: 0, inode: ROFSTree.root, path: [])
        result.key = hasher.finalize()
    }

    /// Lists the directory open as `fd` (closed on return) and every
    /// directory below it.
    mutating func walkDirectory(_ fd: Int32, index: Int, inode: ROFSTree.InodeID, path: [UInt8],
                                depth: Int = 0) throws(ImageBuildError) {
        guard depth <= RootfsWalk.depthLimit else {
            close(fd)
            throw .rootfsTooDeep(result.hostPath(directory: index), limit: RootfsWalk.depthLimit)
        }
        guard let stream = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw .rootfsUnreadable(result.hostPath(directory: index), errno: code)
        }
        defer { closedir(stream) }
        let directoryFD = dirfd(stream)
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw .rootfsUnreadable(result.hostPath(directory: index), errno: errno) }
                break
            }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        names.sort { ROFS.namePrecedes($0, $1) }

        for name in names {
            let entryPath = path + [0x2F] + name
            var info = stat()
            guard fstatat(directoryFD, name.cString, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw .rootfsUnreadable(result.hostPath(directory: index, name: name), errno: errno)
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let child = openat(directoryFD, name.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw .rootfsUnreadable(result.hostPath(directory: index, name: name), errno: errno) }
                var opened = stat()
                guard fstat(child, &opened) == 0, RootfsWalk.identity(opened) == RootfsWalk.identity(info) else {
                    close(child)
                    throw .rootfsChanged(result.hostPath(directory: index, name: name))
                }
                let childInode: ROFSTree.InodeID
                do {
                    childInode = try result.tree.addDirectory(name, in: inode, metadata: Self.metadata(info))
                } catch {
                    close(child)
                    throw .rootfsEntry(result.root, error)
                }
                result.directories.append(.init(parent: index, name: name, identity: RootfsWalk.identity(info)))
                record(path: entryPath, type: 3, info)
                try walkDirectory(child, index: result.directories.count - 1, inode: childInode, path: entryPath,
                                  depth: depth + 1)
            case S_IFREG, S_IFLNK:
                try addLeaf(name, info, in: directoryFD, directory: index, inode: inode, path: entryPath)
            default:
                warn("mewz-runtime: skipping \(Self.kind(info.st_mode)) \(result.hostPath(directory: index, name: name)) "
                    + "(the read-only filesystem holds only files, directories and symlinks)")
            }
        }
    }

    /// A regular file or a symlink, or a further name of one seen before.
    mutating func addLeaf(_ name: [UInt8], _ info: stat, in directoryFD: Int32, directory index: Int,
                          inode parent: ROFSTree.InodeID, path: [UInt8]) throws(ImageBuildError) {
        let isLink = info.st_mode & S_IFMT == S_IFLNK
        let linkKey = LinkKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        if info.st_nlink > 1, let first = links[linkKey] {
            do {
                try result.tree.addHardLink(name, in: parent, to: first.inode)
            } catch {
                throw .rootfsEntry(result.root, error)
            }
            hasher.updateField(path)
            hasher.updateField(Array("link".utf8) + first.path)
            return
        }
        let added: ROFSTree.InodeID
        if isLink {
            let target = try readLink(name, in: directoryFD, directory: index, size: Int(info.st_size))
            do {
                added = try result.tree.addSymlink(name, in: parent, target: target, metadata: Self.metadata(info))
            } catch {
                throw .rootfsEntry(result.root, error)
            }
            record(path: path, type: 7, info)
            hasher.updateField(target)
        } else {
            let identity = RootfsWalk.identity(info)
            do {
                added = try result.tree.addFile(
                    name, in: parent, data: .external(size: identity.size, source: result.files.count),
                    metadata: Self.metadata(info))
            } catch {
                throw .rootfsEntry(result.root, error)
            }
            result.files.append(.init(directory: index, name: name, identity: identity))
            // Saturated: sparse files can claim sizes whose sum overflows (the layout then
            // refuses the total as too large).
            let (sum, overflow) = result.dataBytes.addingReportingOverflow(identity.size)
            result.dataBytes = overflow ? UInt64.max : sum
            record(path: path, type: 4, info)
        }
        if info.st_nlink > 1 { links[linkKey] = (added, path) }
    }

    /// A symlink's target; targets longer than the ROFS allows are an error
    /// (reported by the tree, which is given the length).
    func readLink(_ name: [UInt8], in directoryFD: Int32, directory index: Int, size: Int) throws(ImageBuildError) -> [UInt8] {
        let capacity = max(size, ROFS.symlinkMax) + 1
        var buffer = [CChar](repeating: 0, count: capacity)
        let count = readlinkat(directoryFD, name.cString, &buffer, capacity)
        guard count >= 0 else { throw .rootfsUnreadable(result.hostPath(directory: index, name: name), errno: errno) }
        guard count < capacity else { throw .rootfsChanged(result.hostPath(directory: index, name: name)) }
        return buffer.prefix(count).map { UInt8(bitPattern: $0) }
    }

    /// One entry of the key: its path and what the walk saw of it.
    mutating func record(path: [UInt8], type: UInt8, _ info: stat) {
        let identity = RootfsWalk.identity(info)
        result.newestChange = max(result.newestChange, identity.change)
        hasher.updateField(path)
        var fields: [UInt8] = [type]
        for value in [UInt64(info.st_mode & 0o7777), identity.size, identity.modification, identity.change, identity.inode] {
            withUnsafeBytes(of: value.littleEndian) { fields += $0 }
        }
        hasher.updateField(fields)
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return RootfsWalk.nanoseconds(time)
    }

    static func metadata(_ info: stat) -> ROFSMetadata {
        ROFSMetadata(mode: UInt16(info.st_mode & 0o7777), accessTime: RootfsWalk.nanoseconds(info.st_atim),
                     modificationTime: RootfsWalk.nanoseconds(info.st_mtim),
                     changeTime: RootfsWalk.nanoseconds(info.st_ctim))
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        case S_IFIFO: "fifo"
        case S_IFSOCK: "socket"
        default: "file of unknown type"
        }
    }
}

extension [UInt8] {
    /// The bytes with a NUL after them, for a C call.
    var cString: [CChar] { map { CChar(bitPattern: $0) } + [0] }
}
