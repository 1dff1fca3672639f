import Testing
import WasmCore
import WasmToC

/// Whole WASI commands: mewz_module_main runs "_start", WASI imports are
/// the guest's mewz_wasi_* functions (here the harness's).
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct CommandTests {
    /// "_start" prints through fd_write and exits through proc_exit.
    static func hello(exitCode: Int32?, translationUnits: Int = 1) throws -> LoweredModule {
        var builder = ModuleBuilder()
        let fdWrite = builder.importWASI("fd_write")
        let procExit = builder.importWASI("proc_exit")
        builder.memory(1)
        builder.data(at: 8, "hello, mewz\n")
        // iovec {buf = 8, len = 12} at 0
        let store = MemoryArgument(align: 2, offset: 0)
        let printer = builder.function([], [], [
            .i32(0), .i32(8), .store(.i32Store, store),
            .i32(4), .i32(12), .store(.i32Store, store),
            .i32(1), .i32(0), .i32(1), .i32(32), .call(fdWrite), .drop,
        ])
        var body: [Instruction] = [.call(printer), .call(printer)]
        if let exitCode { body += [.i32(exitCode), .call(procExit), .unreachable] }
        builder.function([], [], export: "_start", body)
        return try CLowering.lower(builder.module, options: LoweringOptions(translationUnits: translationUnits))
    }

    @Test(arguments: [(Int32?.none, Int32(0)), (7, 7), (256 + 3, 3)])
    func helloAndExit(exitCode: Int32?, status: Int32) throws {
        let result = try HostHarness.Executable(try Self.hello(exitCode: exitCode)).run()
        #expect(result.stdout == "hello, mewz\nhello, mewz\n")
        #expect(result.status == status)
        #expect(result.stderr.isEmpty)
    }

    @Test func splitOverTranslationUnits() throws {
        let lowered = try Self.hello(exitCode: 5, translationUnits: 4)
        #expect(lowered.files.map(\.name) == ["module.h", "module_0.c", "module_1.c"])
        let result = try HostHarness.Executable(lowered).run()
        #expect(result.stdout == "hello, mewz\nhello, mewz\n")
        #expect(result.status == 5)
    }

    @Test func memoryLimitsAreReported() throws {
        let lowered = try Self.hello(exitCode: nil)
        #expect(lowered.memoryMinPages == 1)
        #expect(lowered.memoryMaxPages == 65536)
        var builder = ModuleBuilder()
        builder.function([], [], export: "_start", [])
        let none = try CLowering.lower(builder.module, options: LoweringOptions())
        #expect(none.memoryMinPages == 0 && none.memoryMaxPages == 0)
        builder.memory(2, 9)
        let bounded = try CLowering.lower(builder.module, options: LoweringOptions())
        #expect(bounded.memoryMinPages == 2 && bounded.memoryMaxPages == 9)
    }

    /// The same calls give the same results when functions are spread over
    /// several units (cross-unit calls, shared tables, globals, segments).
    @Test func exportsAcrossUnits() throws {
        var builder = ModuleBuilder()
        builder.memory(1)
        builder.table(2)
        let counter = builder.global(.i32, mutable: true, .i32(0))
        let base = builder.global(.i32, mutable: false, .i32(1000))
        let bump = builder.function([], [.i32], [
            .globalGet(counter), .i32(1), .op(.i32Add), .globalSet(counter), .globalGet(counter),
        ])
        let twice = builder.function([.i32], [.i32], [.get(0), .i32(2), .op(.i32Mul)])
        builder.elements(at: 0, [twice, bump])
        let unary = builder.type([.i32], [.i32])
        let passive = builder.passiveData([0x2A])
        builder.function([.i32], [.i32], export: "run", [
            .call(bump), .drop,
            .get(0), .i32(0), .callIndirect(typeIndex: unary, table: 0),
            .i32(0), .i32(0), .i32(1), .memoryInit(passive),
            .i32(0), .load(.i32Load8U, MemoryArgument(align: 0, offset: 0)), .op(.i32Add),
            .call(bump), .op(.i32Add), .globalGet(base), .op(.i32Add),
        ])
        try ExportRunner.check(builder.module, [Call("run", [.i32(10)], .i32(20 + 42 + 2 + 1000))],
                               translationUnits: 3)
    }
}
