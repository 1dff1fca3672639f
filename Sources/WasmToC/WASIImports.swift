import WasmCore

/// The WASI preview1 functions mewz-runtime's guest implements: all 46 of
/// wasi_snapshot_preview1, and WasmEdge's socket extension to it (sock_open,
/// sock_bind, ..., in its v1 and v2 forms), with exactly the list and
/// signatures of Guest/include/mewz/wasi.h (module "wasi_snapshot_preview1",
/// field NAME -> C function mewz_wasi_NAME). As in WasmEdge, a name whose v1
/// and v2 signatures differ (sock_accept, sock_recv_from, sock_getlocaladdr,
/// sock_getpeeraddr) resolves by the signature the module imports, and every
/// v2 function is also importable as NAME_v2. Parameters are lowered as the witx ABI does:
/// 64-bit types (filesize, timestamp, rights, dircookie) are i64, everything
/// else (fds, enums, flags, pointers, lengths) is i32; results go through
/// pointers, and the return value is the errno.
public enum WASIImports {
    public static let module = "wasi_snapshot_preview1"

    public static let supported: [String: FunctionType] = [
        "args_get": errno(.i32, .i32),
        "args_sizes_get": errno(.i32, .i32),
        "environ_get": errno(.i32, .i32),
        "environ_sizes_get": errno(.i32, .i32),
        "clock_res_get": errno(.i32, .i32),
        "clock_time_get": errno(.i32, .i64, .i32),
        "random_get": errno(.i32, .i32),
        "poll_oneoff": errno(.i32, .i32, .i32, .i32),
        "sched_yield": errno(),
        "proc_exit": FunctionType(parameters: [.i32], results: []),
        "proc_raise": errno(.i32),
        "fd_advise": errno(.i32, .i64, .i64, .i32),
        "fd_allocate": errno(.i32, .i64, .i64),
        "fd_close": errno(.i32),
        "fd_datasync": errno(.i32),
        "fd_fdstat_get": errno(.i32, .i32),
        "fd_fdstat_set_flags": errno(.i32, .i32),
        "fd_fdstat_set_rights": errno(.i32, .i64, .i64),
        "fd_filestat_get": errno(.i32, .i32),
        "fd_filestat_set_size": errno(.i32, .i64),
        "fd_filestat_set_times": errno(.i32, .i64, .i64, .i32),
        "fd_pread": errno(.i32, .i32, .i32, .i64, .i32),
        "fd_prestat_get": errno(.i32, .i32),
        "fd_prestat_dir_name": errno(.i32, .i32, .i32),
        "fd_pwrite": errno(.i32, .i32, .i32, .i64, .i32),
        "fd_read": errno(.i32, .i32, .i32, .i32),
        "fd_readdir": errno(.i32, .i32, .i32, .i64, .i32),
        "fd_renumber": errno(.i32, .i32),
        "fd_seek": errno(.i32, .i64, .i32, .i32),
        "fd_sync": errno(.i32),
        "fd_tell": errno(.i32, .i32),
        "fd_write": errno(.i32, .i32, .i32, .i32),
        "path_create_directory": errno(.i32, .i32, .i32),
        "path_filestat_get": errno(.i32, .i32, .i32, .i32, .i32),
        "path_filestat_set_times": errno(.i32, .i32, .i32, .i32, .i64, .i64, .i32),
        "path_link": errno(.i32, .i32, .i32, .i32, .i32, .i32, .i32),
        "path_open": errno(.i32, .i32, .i32, .i32, .i32, .i64, .i64, .i32, .i32),
        "path_readlink": errno(.i32, .i32, .i32, .i32, .i32, .i32),
        "path_remove_directory": errno(.i32, .i32, .i32),
        "path_rename": errno(.i32, .i32, .i32, .i32, .i32, .i32),
        "path_symlink": errno(.i32, .i32, .i32, .i32, .i32),
        "path_unlink_file": errno(.i32, .i32, .i32),
        "sock_accept": errno(.i32, .i32, .i32),
        "sock_recv": errno(.i32, .i32, .i32, .i32, .i32, .i32),
        "sock_send": errno(.i32, .i32, .i32, .i32, .i32),
        "sock_shutdown": errno(.i32, .i32),
        // WasmEdge's socket extension, v2 signatures (sock_accept, sock_recv, sock_send and
        // sock_shutdown are preview1's above).
        "sock_open": errno(.i32, .i32, .i32),
        "sock_bind": errno(.i32, .i32, .i32),
        "sock_connect": errno(.i32, .i32, .i32),
        "sock_listen": errno(.i32, .i32),
        "sock_recv_from": errno(.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32),
        "sock_send_to": errno(.i32, .i32, .i32, .i32, .i32, .i32, .i32),
        "sock_getsockopt": errno(.i32, .i32, .i32, .i32, .i32),
        "sock_setsockopt": errno(.i32, .i32, .i32, .i32, .i32),
        "sock_getlocaladdr": errno(.i32, .i32, .i32),
        "sock_getpeeraddr": errno(.i32, .i32, .i32),
        "sock_getaddrinfo": errno(.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32),
    ]

    /// WasmEdge's v1 forms whose signatures differ from v2's: name -> (signature, C function).
    public static let version1: [String: (type: FunctionType, symbol: String)] = [
        "sock_accept": (errno(.i32, .i32), "mewz_wasi_sock_accept_v1"),
        "sock_recv_from": (errno(.i32, .i32, .i32, .i32, .i32, .i32, .i32), "mewz_wasi_sock_recv_from_v1"),
        "sock_getlocaladdr": (errno(.i32, .i32, .i32, .i32), "mewz_wasi_sock_getlocaladdr_v1"),
        "sock_getpeeraddr": (errno(.i32, .i32, .i32, .i32), "mewz_wasi_sock_getpeeraddr_v1"),
    ]

    /// WasmEdge's NAME_v2 imports: the v2 function NAME.
    public static let version2Names: Set<String> = [
        "sock_open", "sock_bind", "sock_connect", "sock_listen", "sock_accept", "sock_recv", "sock_recv_from",
        "sock_send", "sock_send_to", "sock_getlocaladdr", "sock_getpeeraddr",
    ]

    /// The guest function an import of `name` with `type` calls and its signature, or nil when
    /// the guest has none with that signature.
    public static func resolve(_ name: String, _ type: FunctionType) -> (symbol: String, type: FunctionType)? {
        let base = name.hasSuffix("_v2") && version2Names.contains(String(name.dropLast(3))) ? String(name.dropLast(3)) : name
        if let expected = supported[base], expected == type { return (symbol(base), expected) }
        if base == name, let legacy = version1[name], legacy.type == type { return (legacy.symbol, legacy.type) }
        return nil
    }

    /// The signature the guest expects for `name` (its v2 one where there are two), or nil.
    public static func expectedType(_ name: String) -> FunctionType? {
        let base = name.hasSuffix("_v2") ? String(name.dropLast(3)) : name
        return supported[name] ?? (version2Names.contains(base) ? supported[base] : nil)
    }

    /// Whether a module with these imports can open host sockets: it imports sock_open (either
    /// name). Without it a guest has sockets only when it is handed listening ones, and can
    /// accept only from those.
    public static func opensSockets(_ imports: [Import]) -> Bool {
        imports.contains { $0.module == module && ($0.name == "sock_open" || $0.name == "sock_open_v2") }
    }

    /// Functions declared `_Noreturn` in wasi.h.
    static let noReturn: Set<String> = ["proc_exit"]

    /// The C symbol the guest defines for a supported import.
    static func symbol(_ name: String) -> String { "mewz_wasi_" + name }

    private static func errno(_ parameters: ValueType...) -> FunctionType {
        FunctionType(parameters: parameters, results: [.i32])
    }
}
