import CShim
import Glibc
import WasmCore
import WasmToC

/// The module process.args[0] names, read from inside the rootfs. Resolution is done by the
/// kernel (openat2 RESOLVE_IN_ROOT), so neither ".." nor a symlink can lead outside the rootfs.
struct WasmModuleFile {
    /// The path inside the rootfs that was opened.
    let path: String
    let bytes: [UInt8]

    static let maximumSize = 1 << 30
    static let defaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    static let magic: [UInt8] = [0x00, 0x61, 0x73, 0x6D]

    /// Whether the module imports sock_open (WASIImports.opensSockets); read from its import
    /// section alone. A module whose imports cannot be read counts as one that does: it never
    /// runs (its build fails), and the answer only ever narrows the monitor's seccomp filter.
    var opensSockets: Bool {
        guard let imports = try? Module.decodeImports(bytes) else { return true }
        return WASIImports.opensSockets(imports)
    }

    /// runc's lookup: a name with a "/" is a path (relative to process.cwd); a bare name is
    /// searched in the container's $PATH.
    static func load(process: Spec.Process, rootfs: String) throws(OCIError) -> WasmModuleFile {
        let rootFD = cshim_open_path(rootfs, O_DIRECTORY)
        guard rootFD >= 0 else { throw .system("open rootfs", rootfs, errno: errno) }
        defer { close(rootFD) }

        let name = process.args[0]
        if name.contains("/") {
            let path = PathName.absolute(name, from: process.cwd)
            switch open(path, in: rootFD) {
            case .success(let fd):
                defer { close(fd) }
                return try read(fd, path: path)
            case .failure(let code):
                throw code == -1 ? .moduleNotRegular(name) : .moduleOpen(name, errno: code)
            }
        }
        for directory in searchPath(process.env).split(separator: ":") where directory.hasPrefix("/") {
            let path = PathName.join(String(directory), name)
            if case .success(let fd) = open(path, in: rootFD) {
                defer { close(fd) }
                return try read(fd, path: path)
            }
        }
        throw .moduleNotFoundInPath(name)
    }

    /// Checks the preamble: the magic, then binary format version 1.
    static func checkPreamble(_ bytes: [UInt8], path: String) throws(OCIError) {
        let header = bytes.prefix(8)
        let magicPart = Array(header.prefix(4))
        guard magicPart == Array(magic.prefix(magicPart.count)) else { throw .notWasm(path) }
        guard bytes.count >= 8 else { throw .truncatedWasm(path, size: bytes.count) }
        let version = UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24
        guard version == 1 else { throw .unsupportedWasmVersion(path, version: version) }
    }

    private static func searchPath(_ environment: [String]) -> String {
        let entry = environment.last { $0.hasPrefix("PATH=") }
        return entry.map { String($0.dropFirst(5)) } ?? defaultSearchPath
    }

    /// An fd of a regular file, or the errno (-1: exists but is not a regular file).
    private enum OpenResult { case success(Int32), failure(Int32) }

    /// Checked before it is opened (cshim_open_regular_in_root): a device node the image
    /// names is never opened on the host.
    private static func open(_ path: String, in rootFD: Int32) -> OpenResult {
        let fd = cshim_open_regular_in_root(rootFD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        if fd == -2 { return .failure(-1) }
        guard fd >= 0 else { return .failure(errno) }
        return .success(fd)
    }

    private static func read(_ fd: Int32, path: String) throws(OCIError) -> WasmModuleFile {
        let bytes = try FileIO.readAll(fd, path: path, limit: maximumSize)
        try checkPreamble(bytes, path: path)
        return WasmModuleFile(path: path, bytes: bytes)
    }
}
