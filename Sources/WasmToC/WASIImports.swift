import WasmCore

/// The WASI preview1 functions mewz-runtime's guest implements: all 46 of
/// wasi_snapshot_preview1, with exactly the list and signatures of
/// Guest/include/mewz/wasi.h (module "wasi_snapshot_preview1", field NAME ->
/// C function mewz_wasi_NAME). Parameters are lowered as the witx ABI does:
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
    ]

    /// Functions declared `_Noreturn` in wasi.h.
    static let noReturn: Set<String> = ["proc_exit"]

    /// The C symbol the guest defines for a supported import.
    static func symbol(_ name: String) -> String { "mewz_wasi_" + name }

    private static func errno(_ parameters: ValueType...) -> FunctionType {
        FunctionType(parameters: parameters, results: [.i32])
    }
}
