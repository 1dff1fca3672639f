import Testing
import WasmCore
import WasmToC

/// call_indirect checks, table instructions with the spec's bounds, globals
/// and the start function.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct TableAndGlobalTests {
    @Test func callIndirect() throws {
        var builder = ModuleBuilder()
        builder.table(4, 10)
        let add = builder.function([.i32, .i32], [.i32], [.get(0), .get(1), .op(.i32Add)])
        let sub = builder.function([.i32, .i32], [.i32], [.get(0), .get(1), .op(.i32Sub)])
        let neg = builder.function([.i32], [.i32], [.i32(0), .get(0), .op(.i32Sub)])
        builder.elements(at: 0, [add, sub, nil])
        builder.elements(at: 3, [neg])
        // A structurally equal duplicate of add's type: same canonical id.
        builder.module.types.append(FunctionType(parameters: [.i32, .i32], results: [.i32]))
        let duplicate = UInt32(builder.module.types.count - 1)
        let unary = builder.type([.i32], [.i32])
        builder.function([.i32, .i32, .i32], [.i32], export: "binary", [
            .get(1), .get(2), .get(0), .callIndirect(typeIndex: duplicate, table: 0),
        ])
        builder.function([.i32, .i32], [.i32], export: "unary", [
            .get(1), .get(0), .callIndirect(typeIndex: unary, table: 0),
        ])
        try ExportRunner.check(builder.module, [
            Call("binary", [.i32(0), .i32(5), .i32(3)], .i32(8)),
            Call("binary", [.i32(1), .i32(5), .i32(3)], .i32(2)),
            Call("binary", [.i32(2), .i32(5), .i32(3)], trap: "uninitialized element"),
            Call("binary", [.i32(3), .i32(5), .i32(3)], trap: "indirect call type mismatch"),
            Call("binary", [.i32(4), .i32(5), .i32(3)], trap: "undefined element"),
            Call("binary", [.i32(0xFFFF_FFFF), .i32(5), .i32(3)], trap: "undefined element"),
            Call("unary", [.i32(3), .i32(5)], .s32(-5)),
            Call("unary", [.i32(0), .i32(5)], trap: "indirect call type mismatch"),
        ])
    }

    @Test func tableInstructions() throws {
        var builder = ModuleBuilder()
        builder.table(3, 5)
        builder.table(2)
        let one = builder.function([], [.i32], [.i32(1)])
        let two = builder.function([], [.i32], [.i32(2)])
        builder.elements(at: 0, [one])
        let passive = builder.passiveElements([two, nil, one])
        let thunk = builder.type([], [.i32])
        let table1: UInt32 = 1
        builder.function([.i32], [.i32], export: "call", [.get(0), .callIndirect(typeIndex: thunk, table: 0)])
        builder.function([.i32], [.i32], export: "call1", [.get(0), .callIndirect(typeIndex: thunk, table: table1)])
        builder.function([], [.i32], export: "size", [.tableSize(0)])
        builder.function([.i32], [.i32], export: "grow", [.refFunc(two), .get(0), .tableGrow(0)])
        builder.function([.i32], [.i32], export: "isNull", [.get(0), .tableGet(0), .refIsNull])
        builder.function([.i32], [], export: "setTwo", [.get(0), .refFunc(two), .tableSet(0)])
        builder.function([.i32, .i32], [], export: "fillNull", [.get(0), .refNull(.funcref), .get(1), .tableFill(0)])
        builder.function([.i32, .i32, .i32], [], export: "copy", [.get(0), .get(1), .get(2), .tableCopy(destination: 0, source: 0)])
        builder.function([.i32, .i32, .i32], [], export: "copyTo1", [.get(0), .get(1), .get(2), .tableCopy(destination: table1, source: 0)])
        builder.function([.i32, .i32, .i32], [], export: "init", [.get(0), .get(1), .get(2), .tableInit(element: passive, table: 0)])
        builder.function([], [], export: "dropThenInit", [.elemDrop(passive), .i32(0), .i32(0), .i32(1), .tableInit(element: passive, table: 0)])
        // funcref values in locals, select and a two-value block.
        let pair = builder.type([], [.funcref, .i32])
        builder.function([.i32], [.i32], locals: [.funcref], export: "pick", [
            .refFunc(one), .refFunc(two), .get(0), .select([.funcref]), .localSet(1),
            .block(.typeIndex(pair)), .get(1), .i32(2), .end,
            .drop, .localSet(1),
            .i32(2), .get(1), .tableSet(0),
            .get(1), .refIsNull, .i32(10), .op(.i32Mul),
            .i32(2), .callIndirect(typeIndex: thunk, table: 0), .op(.i32Add),
        ])
        let oob = "out of bounds table access"
        try ExportRunner.check(builder.module, [
            Call("pick", [.i32(1)], .i32(1)),
            Call("pick", [.i32(0)], .i32(2)),
            Call("call", [.i32(0)], .i32(1)),
            Call("isNull", [.i32(1)], .i32(1)),
            Call("isNull", [.i32(3)], trap: oob),
            Call("setTwo", [.i32(1)]),
            Call("call", [.i32(1)], .i32(2)),
            Call("setTwo", [.i32(3)], trap: oob),
            Call("size", [], .i32(3)),
            Call("grow", [.i32(1)], .i32(3)),
            Call("call", [.i32(3)], .i32(2)),
            Call("grow", [.i32(2)], .s32(-1)),
            Call("grow", [.i32(0)], .i32(4)),
            Call("grow", [.i32(1)], .i32(4)),
            Call("size", [], .i32(5)),
            Call("fillNull", [.i32(1), .i32(2)]),
            Call("isNull", [.i32(2)], .i32(1)),
            Call("fillNull", [.i32(4), .i32(2)], trap: oob),
            Call("fillNull", [.i32(5), .i32(0)]),
            Call("copy", [.i32(1), .i32(0), .i32(1)]),
            Call("call", [.i32(1)], .i32(1)),
            Call("copy", [.i32(4), .i32(0), .i32(2)], trap: oob),
            Call("copyTo1", [.i32(1), .i32(0), .i32(1)]),
            Call("call1", [.i32(1)], .i32(1)),
            Call("call1", [.i32(0)], trap: "uninitialized element"),
            Call("init", [.i32(0), .i32(0), .i32(3)]),
            Call("call", [.i32(0)], .i32(2)),
            Call("call", [.i32(1)], trap: "uninitialized element"),
            Call("call", [.i32(2)], .i32(1)),
            Call("init", [.i32(0), .i32(2), .i32(2)], trap: oob),
            Call("dropThenInit", [], trap: oob),
        ])
    }

    /// An element segment past the table traps at instantiation.
    @Test func elementSegmentOutOfBounds() throws {
        var builder = ModuleBuilder()
        builder.table(2)
        let nothing = builder.function([], [], export: "nothing", [])
        builder.elements(at: 1, [nothing, nothing])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "wasm_"))
        let result = try HostHarness.Executable(lowered).run()
        #expect(result.status == 134)
        #expect(result.stderr == "wasm trap: out of bounds table access\n")
    }

    @Test func globalsAndStart() throws {
        var builder = ModuleBuilder()
        builder.table(1)
        let counter = builder.global(.i32, mutable: true, .i32(5))
        let answer = builder.global(.i64, mutable: false, .i64(42))
        let nan = builder.global(.f32, mutable: false, .f32(bits: 0x7FA0_0001))
        let copied = builder.global(.i64, mutable: true, .globalGet(answer))
        let double = builder.function([.i32], [.i32], [.get(0), .get(0), .op(.i32Add)])
        let reference = builder.global(.funcref, mutable: false, .refFunc(double))
        let start = builder.function([], [], [.globalGet(counter), .i32(100), .op(.i32Add), .globalSet(counter)])
        builder.module.start = start
        builder.function([], [.i32], export: "increment", [
            .globalGet(counter), .i32(1), .op(.i32Add), .globalSet(counter), .globalGet(counter),
        ])
        builder.function([], [.i64], export: "answer", [.globalGet(answer)])
        builder.function([], [.i32], export: "nanBits", [.globalGet(nan), .op(.i32ReinterpretF32)])
        builder.function([], [.i64], export: "bumpCopy", [
            .globalGet(copied), .i64(1), .op(.i64Add), .globalSet(copied), .globalGet(copied),
        ])
        let unary = builder.type([.i32], [.i32])
        builder.function([.i32], [.i32], export: "callReference", [
            .i32(0), .globalGet(reference), .tableSet(0), .get(0), .i32(0), .callIndirect(typeIndex: unary, table: 0),
        ])
        try ExportRunner.check(builder.module, [
            Call("increment", [], .i32(106)),
            Call("increment", [], .i32(107)),
            Call("answer", [], .i64(42)),
            Call("nanBits", [], .i32(0x7FA0_0001)),
            Call("bumpCopy", [], .i64(43)),
            Call("callReference", [.i32(21)], .i32(42)),
        ])
    }
}
