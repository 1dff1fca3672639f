#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The few file operations the builder needs, straight on the system calls
/// (Foundation's FileManager would cost start-up time on the cache-hit path).
enum FileSystem {
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func isExecutableFile(_ path: String) -> Bool {
        isRegularFile(path) && access(path, X_OK) == 0
    }

    /// Whether anything (even a dangling symlink) is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// "c" for "a/b/c".
    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// "a/b" for "a/b/c", "." for "c", "/" for "/c".
    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func readFile(_ path: String) throws(ImageBuildError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("open", path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io("stat", path, errno: errno) }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0))
        var filled = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // Into the array up to the size fstat gave, then through a small
            // chunk in case the file has grown since.
            let count =
                filled < bytes.count
                ? bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + filled }, $0.count - filled) }
                : chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("read", path, errno: errno)
            }
            if count == 0 { break }
            if filled < bytes.count {
                filled += count
            } else {
                bytes += chunk.prefix(count)
                filled = bytes.count
            }
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Up to `count` bytes from the start of the file, and the file's size.
    static func readPrefix(_ path: String, count: Int) -> (bytes: [UInt8], fileSize: UInt64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        guard got >= 0 else { return nil }
        bytes.removeSubrange(got...)
        return (bytes, UInt64(info.st_size))
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(ImageBuildError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("write", path, errno: errno)
            }
            written += count
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(ImageBuildError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("create", path, errno: errno) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
    }

    /// Writes `bytes` to `path` through a temporary file in the same
    /// directory and rename(), so readers see the old file or the whole new
    /// one, and concurrent writers of the same path all succeed.
    static func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(ImageBuildError) {
        let (fd, temporary) = try createUniqueFile(beside: path)
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(temporary) }
        }
        try writeAll(fd, bytes, path: temporary)
        // Readable by other users; durable before it becomes visible under
        // its final name.
        guard fchmod(fd, 0o644) == 0 else { throw .io("chmod", temporary, errno: errno) }
        guard fsync(fd) == 0 else { throw .io("sync", temporary, errno: errno) }
        guard rename(temporary, path) == 0 else { throw .io("rename a temporary file to", path, errno: errno) }
        renamed = true
    }

    /// A new file `<path>.tmp-<random>`, opened for writing. (mkostemp is
    /// a GNU extension Swift's Glibc module does not export.)
    static func createUniqueFile(beside path: String) throws(ImageBuildError) -> (Int32, String) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let candidate = path + ".tmp-" + String(generator.next() as UInt64, radix: 36)
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { return (fd, candidate) }
            guard errno == EEXIST else { throw .io("create a temporary file beside", path, errno: errno) }
        }
        throw .io("create a temporary file beside", path, errno: EEXIST)
    }

    /// mkdir -p.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(ImageBuildError) {
        if isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, mode) != 0, errno != EEXIST {
                throw .io("create directory", prefix, errno: errno)
            }
            prefix += "/"
        }
        guard isDirectory(path) else { throw .io("create directory", path, errno: ENOTDIR) }
    }

    /// A fresh private (0700) directory named `<parent>/<prefix>XXXXXX`.
    static func makeTemporaryDirectory(in parent: String, prefix: String) throws(ImageBuildError) -> String {
        var template = Array("\(parent)/\(prefix)XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else { throw .io("create a temporary directory in", parent, errno: errno) }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// rm -rf, without following symbolic links; errors are ignored (it
    /// cleans up after a build that may itself have failed).
    static func removeTree(_ path: String) {
        for name in entries(of: path) {
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                removeTree(child)
            } else {
                unlink(child)
            }
        }
        rmdir(path)
    }

    /// Removes the entries of `directory` accepted by `matching` that were
    /// last modified more than `age` seconds ago: what builders killed
    /// mid-build left behind.
    static func removeStaleEntries(in directory: String, olderThan age: Int, matching: (String) -> Bool = { _ in true }) {
        let now = time(nil)
        for name in entries(of: directory) where matching(name) {
            let path = directory + "/" + name
            var info = stat()
            // (The file's time is not subtracted: any value can be set, and INT64_MIN would overflow.)
            guard lstat(path, &info) == 0, info.st_mtim.tv_sec < now - age else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                removeTree(path)
            } else {
                unlink(path)
            }
        }
    }

    /// Names in a directory, without "." and "..", unsorted.
    static func entries(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Regular files below `root`, as paths relative to it, sorted bytewise
    /// so a digest over them does not depend on directory order.
    static func regularFiles(under root: String, prefix: String = "") -> [String] {
        var files: [String] = []
        for name in entries(of: root) {
            let path = root + "/" + name
            var info = stat()
            // Real directories only: a symbolic link to a directory could loop.
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                files += regularFiles(under: path, prefix: prefix + name + "/")
            } else if isRegularFile(path) {
                files.append(prefix + name)
            }
        }
        return files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
