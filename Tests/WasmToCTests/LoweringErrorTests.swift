import Testing
import WasmCore
import WasmToC

/// Modules the lowering refuses, with one-line messages; and malformed
/// input (which validation would reject) giving an error, never a crash.
struct LoweringErrorTests {
    static func command(_ configure: (inout ModuleBuilder) -> Void) -> Module {
        var builder = ModuleBuilder()
        configure(&builder)
        builder.function([], [], export: "_start", [])
        return builder.module
    }

    func message(_ module: Module, _ options: LoweringOptions = LoweringOptions()) -> String? {
        do {
            _ = try CLowering.lower(module, options: options)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func missingImportsAreListedTogether() {
        let module = Self.command { builder in
            builder.importFunction("wasi_snapshot_preview1", "sock_frobnicate", [.i32], [.i32])
            builder.importWASI("fd_write")
            builder.importFunction("env", "foo", [], [])
            builder.importFunction("wasi_snapshot_preview1", "fd_close", [.i64], [.i32])
        }
        let provided = WASIImports.supported.keys.sorted().joined(separator: ", ")
        #expect(message(module) == "unsupported imports: wasi_snapshot_preview1.sock_frobnicate, env.foo, "
            + "wasi_snapshot_preview1.fd_close (signature (i64) -> (i32), expected (i32) -> (i32)) "
            + "(mewz-runtime provides: \(provided))")
        #expect(provided.hasPrefix("args_get, args_sizes_get, clock_res_get"))
    }

    static let unsupportedFeatures: [(String, Module)] = [
        ("unsupported feature: imported memory env.memory", command { builder in
            builder.module.imports.append(Import(module: "env", name: "memory",
                                                 descriptor: .memory(MemoryType(limits: Limits(min: 1, max: nil)))))
        }),
        ("unsupported feature: imported global env.g", command { builder in
            builder.module.imports.append(Import(module: "env", name: "g",
                                                 descriptor: .global(GlobalType(valueType: .i32, isMutable: false))))
        }),
        ("unsupported feature: multiple memories", command { builder in
            builder.memory(1)
            builder.memory(1)
        }),
        ("unsupported feature: table of 2000000 elements (at most 1048576)", command { builder in
            builder.table(2_000_000)
        }),
        ("unsupported feature: no \"_start\" export (not a WASI command)", {
            var builder = ModuleBuilder()
            builder.function([], [], export: "main", [])
            return builder.module
        }()),
        ("unsupported feature: \"_start\" export is not a function of type () -> ()", {
            var builder = ModuleBuilder()
            builder.function([], [.i32], export: "_start", [.i32(0)])
            return builder.module
        }()),
    ]

    @Test(arguments: unsupportedFeatures)
    func unsupportedFeature(expected: String, module: Module) {
        #expect(message(module) == expected)
    }

    /// With exportPrefix, "_start" is optional.
    @Test func exportPrefixAllowsLibraries() {
        var builder = ModuleBuilder()
        builder.function([], [], export: "main", [])
        #expect(message(builder.module, LoweringOptions(exportPrefix: "x_")) == nil)
    }

    static let malformedBodies: [(String, [Instruction])] = [
        ("operand stack underflow", [.op(.i32Add)]),
        ("branch depth 5 out of range", [.br(5)]),
        ("unknown local 9", [.get(9)]),
        ("call to unknown function 99", [.call(99)]),
        ("unknown global 0", [.globalGet(0)]),
        ("unknown table 0", [.i32(0), .tableGet(0)]),
        ("unknown data segment 3", [.dataDrop(3)]),
        ("instructions after the function's end", [.end, .nop]),
        ("else without if", [.block(.empty), .else, .end]),
        ("unknown block type", [.block(.typeIndex(77)), .end]),
        ("call_indirect with unknown type 40", [.i32(0), .callIndirect(typeIndex: 40, table: 0)]),
    ]

    @Test(arguments: malformedBodies)
    func malformedBodyIsAnError(reason: String, body: [Instruction]) {
        var builder = ModuleBuilder()
        builder.function([], [], export: "_start", body)
        let text = message(builder.module)
        #expect(text?.hasPrefix("invalid module: \(reason) in function 0 at offset 0x") == true, "\(text ?? "no error")")
    }

    @Test func malformedModuleStructure() {
        var builder = ModuleBuilder()
        builder.function([], [], export: "_start", [])
        var missingBody = builder.module
        missingBody.code = []
        #expect(message(missingBody) == "invalid module: 1 functions but 0 bodies")
        var badType = builder.module
        badType.functionTypeIndices = [12]
        #expect(message(badType) == "invalid module: type index 12 out of range")
        var noEnd = builder.module
        noEnd.code[0].instructions = [.block(.empty)]
        #expect(message(noEnd)?.hasPrefix("invalid module: missing end") == true)
        var badStart = builder.module
        badStart.start = 9
        #expect(message(badStart) == "invalid module: start function 9 out of range")
    }
}
