import Glibc

/// `spec`: a starting config.json for a Wasm bundle, in the shape of runc's `spec` output.
public enum SampleSpec {
    public static var document: GoJSON {
        let namespaces = ["pid", "network", "ipc", "uts", "mount"].map { GoJSON.object([.init("type", .string($0))]) }
        return .object([
            .init("ociVersion", .string(ContainerState.ociVersion)),
            .init("process", .object([
                .init("terminal", .bool(false)),
                .init("user", .object([.init("uid", .integer(0)), .init("gid", .integer(0))])),
                .init("args", .array([.string("/app.wasm")])),
                .init("env", .array([.string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")])),
                .init("cwd", .string("/")),
            ])),
            .init("root", .object([.init("path", .string("rootfs")), .init("readonly", .bool(true))])),
            .init("hostname", .string("mewz")),
            .init("linux", .object([.init("namespaces", .array(namespaces))])),
        ])
    }

    public static var json: String { document.indented + "\n" }

    /// Writes `<bundle>/config.json`, never replacing an existing one (O_EXCL, so no race).
    public static func write(bundle: String?) throws(OCIError) {
        let path = PathName.join(bundle ?? ".", "config.json")
        let fd = Syscall.retrying { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0o666) }
        guard fd >= 0 else {
            if errno == EEXIST { throw .configExists }
            throw .system("open", path, errno: errno)
        }
        var failure = FileIO.writeAll(fd, Array(json.utf8))
        if close(fd) != 0 && failure == 0 && errno != EINTR { failure = errno }
        if failure != 0 {
            unlink(path)
            throw .system("write", path, errno: failure)
        }
    }
}
