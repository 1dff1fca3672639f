import WasmCore

/// The WASI preview1 functions mewz-runtime's guest implements: exactly the
/// list and signatures of Guest/include/mewz/wasi.h (module
/// "wasi_snapshot_preview1", field NAME -> C function mewz_wasi_NAME).
public enum WASIImports {
    public static let module = "wasi_snapshot_preview1"

    public static let supported: [String: FunctionType] = [
        "args_get": errno(.i32, .i32),
        "args_sizes_get": errno(.i32, .i32),
        "environ_get": errno(.i32, .i32),
        "environ_sizes_get": errno(.i32, .i32),
        "fd_write": errno(.i32, .i32, .i32, .i32),
        "fd_read": errno(.i32, .i32, .i32, .i32),
        "fd_fdstat_get": errno(.i32, .i32),
        "fd_prestat_get": errno(.i32, .i32),
        "fd_prestat_dir_name": errno(.i32, .i32, .i32),
        "fd_close": errno(.i32),
        "fd_seek": errno(.i32, .i64, .i32, .i32),
        "clock_time_get": errno(.i32, .i64, .i32),
        "clock_res_get": errno(.i32, .i32),
        "random_get": errno(.i32, .i32),
        "poll_oneoff": errno(.i32, .i32, .i32, .i32),
        "sched_yield": errno(),
        "proc_exit": FunctionType(parameters: [.i32], results: []),
    ]

    /// Functions declared `_Noreturn` in wasi.h.
    static let noReturn: Set<String> = ["proc_exit"]

    /// The C symbol the guest defines for a supported import.
    static func symbol(_ name: String) -> String { "mewz_wasi_" + name }

    private static func errno(_ parameters: ValueType...) -> FunctionType {
        FunctionType(parameters: parameters, results: [.i32])
    }
}
