import Foundation
import Testing
import WasmCore
@testable import WasmToC

/// The shape of the emitted C, and its agreement with the guest headers.
struct EmittedShapeTests {
    /// Values stay folded into expressions; locals are C locals; a loop is
    /// a label with a conditional goto; only used variables are declared.
    @Test func loopFunctionText() throws {
        var builder = ModuleBuilder()
        builder.function([.i32], [.i32], locals: [.i32, .f64], export: "_start_sum", [
            .loop(.empty),
            .get(1), .get(0), .op(.i32Add), .set(1),
            .get(0), .i32(1), .op(.i32Sub), .localTee(0),
            .brIf(0),
            .end,
            .get(1),
        ])
        builder.function([], [], export: "_start", [])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "w_"))
        let unit = try #require(lowered.files.first { $0.name == "module_0.c" }?.contents)
        #expect(unit.contains("""
        WC_LINK uint32_t f0(uint32_t l0) {
          uint32_t l1 = 0;
          L1:;
          l1 = (l1 + l0);
          l0 = (l0 - 1u);
          if (l0) goto L1;
          return l1;
        }
        """))
        #expect(unit.contains("uint32_t w___start__sum(uint32_t l0) {\n  return f0(l0);\n}"))
    }

    /// Dead functions (unreachable from the roots) are not emitted.
    @Test func deadFunctionsAreDropped() throws {
        var builder = ModuleBuilder()
        let used = builder.function([], [], [])
        builder.function([], [], [.call(used)])  // never called
        builder.function([], [], export: "_start", [.call(used)])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions())
        let unit = lowered.files[1].contents
        #expect(unit.contains("WC_LINK void f0(void)"))
        #expect(!unit.contains("f1("))
        #expect(unit.contains("void mewz_module_main(void) {\n  f2();\n}"))
    }

    /// WASIImports.supported and the v1 forms list exactly the functions of wasi.h.
    @Test func wasiListMatchesHeader() throws {
        let header = try String(contentsOfFile: HostHarness.includeDirectory + "/mewz/wasi.h", encoding: .utf8)
        var names: Set<String> = []
        for line in header.split(separator: "\n") {
            guard let range = line.range(of: "mewz_wasi_"), let paren = line[range.upperBound...].firstIndex(of: "(")
            else { continue }
            names.insert(String(line[range.upperBound..<paren]))
        }
        let version1 = WASIImports.version1.values.map { String($0.symbol.dropFirst("mewz_wasi_".count)) }
        #expect(names == Set(WASIImports.supported.keys).union(version1))
    }

    /// All 46 functions of wasi_snapshot_preview1 (the witx) and WasmEdge's socket extension,
    /// no more: the names, and the i64 parameters where the witx has a 64-bit type.
    @Test func wasiListIsPreview1() {
        let witx = [
            "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get",
            "clock_time_get", "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get",
            "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
            "fd_filestat_set_times", "fd_pread", "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite",
            "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
            "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link",
            "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
            "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get",
            "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
        ]
        #expect(witx.count == 46)
        let wasmEdge = [
            "sock_open", "sock_bind", "sock_connect", "sock_listen", "sock_recv_from", "sock_send_to",
            "sock_getsockopt", "sock_setsockopt", "sock_getlocaladdr", "sock_getpeeraddr", "sock_getaddrinfo",
        ]
        #expect(Set(WASIImports.supported.keys) == Set(witx + wasmEdge))
        let i64Positions: [String: [Int]] = [
            "clock_time_get": [1], "fd_advise": [1, 2], "fd_allocate": [1, 2], "fd_fdstat_set_rights": [1, 2],
            "fd_filestat_set_size": [1], "fd_filestat_set_times": [1, 2], "fd_pread": [3], "fd_pwrite": [3],
            "fd_readdir": [3], "fd_seek": [1], "path_filestat_set_times": [4, 5], "path_open": [5, 6],
        ]
        for (name, type) in WASIImports.supported {
            let wide = type.parameters.indices.filter { type.parameters[$0] == .i64 }
            #expect(wide == (i64Positions[name] ?? []), "\(name)")
            #expect(type.results == (name == "proc_exit" ? [] : [.i32]), "\(name)")
        }
        #expect(WASIImports.supported["path_open"]?.parameters.count == 9)
        #expect(WASIImports.supported["sock_recv"]?.parameters.count == 6)
    }

    /// WasmEdge's v1 and v2 forms: a name resolves by the signature imported, NAME_v2 is the v2
    /// function, and a signature of neither is refused.
    @Test func wasmEdgeSocketFormsResolveBySignature() {
        let i32 = ValueType.i32
        let two = FunctionType(parameters: [i32, i32], results: [i32])
        let three = FunctionType(parameters: [i32, i32, i32], results: [i32])
        let four = FunctionType(parameters: [i32, i32, i32, i32], results: [i32])
        #expect(WASIImports.resolve("sock_accept", two)?.symbol == "mewz_wasi_sock_accept_v1")
        #expect(WASIImports.resolve("sock_accept", three)?.symbol == "mewz_wasi_sock_accept")
        #expect(WASIImports.resolve("sock_accept_v2", three)?.symbol == "mewz_wasi_sock_accept")
        #expect(WASIImports.resolve("sock_accept_v2", two) == nil)
        #expect(WASIImports.resolve("sock_getlocaladdr", four)?.symbol == "mewz_wasi_sock_getlocaladdr_v1")
        #expect(WASIImports.resolve("sock_getlocaladdr_v2", three)?.symbol == "mewz_wasi_sock_getlocaladdr")
        #expect(WASIImports.resolve("sock_open_v2", three)?.symbol == "mewz_wasi_sock_open")
        #expect(WASIImports.resolve("sock_shutdown_v2", two) == nil)  // WasmEdge has no such name
        #expect(WASIImports.resolve("sock_open", four) == nil)
        #expect(WASIImports.expectedType("sock_bind_v2") == three)
    }

    /// Functions are balanced over the requested units, module_0 holding
    /// the state and entry points.
    @Test func translationUnitSplit() throws {
        var builder = ModuleBuilder()
        var calls: [Instruction] = []
        for _ in 0..<6 { calls.append(.call(builder.function([], [], [.nop]))) }
        builder.function([], [], export: "_start", calls)
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(translationUnits: 3))
        #expect(lowered.files.map(\.name) == ["module.h", "module_0.c", "module_1.c", "module_2.c"])
        #expect(lowered.files[0].contents.contains("#define WC_LINK __attribute__((visibility(\"hidden\")))"))
        #expect(lowered.files[1].contents.contains("void mewz_module_init(void)"))
        let counts = lowered.files.dropFirst().map { $0.contents.components(separatedBy: "WC_LINK void f").count - 1 }
        #expect(counts.reduce(0, +) == 7)
        #expect(counts.allSatisfy { $0 >= 1 })
        let single = try CLowering.lower(builder.module, options: LoweringOptions(translationUnits: 0))
        #expect(single.files.count == 2)
    }
}

/// Which modules can open host sockets (the monitor's filter has socket calls only for those).
@Suite struct SocketImportTests {
    static func function(_ module: String, _ name: String) -> Import {
        Import(module: module, name: name, descriptor: .function(typeIndex: 0))
    }

    @Test func sockOpenInEitherFormOpensSockets() {
        #expect(WASIImports.opensSockets([Self.function("wasi_snapshot_preview1", "sock_open")]))
        #expect(WASIImports.opensSockets([Self.function("wasi_snapshot_preview1", "fd_write"),
                                          Self.function("wasi_snapshot_preview1", "sock_open_v2")]))
    }

    @Test func otherImportsDoNot() {
        // sock_accept alone can only take connections from listeners handed in (MEWZ_TCPLISTEN).
        #expect(!WASIImports.opensSockets(["fd_write", "sock_accept", "sock_accept_v2", "sock_recv", "sock_send",
                                           "poll_oneoff"].map { Self.function("wasi_snapshot_preview1", $0) }))
        #expect(!WASIImports.opensSockets([Self.function("env", "sock_open")]))
        #expect(!WASIImports.opensSockets([]))
    }
}
