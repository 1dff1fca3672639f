import Testing
import WasmCore
import WasmToC

/// Control flow: loops, br_table, multi-value blocks and calls, skipped
/// unreachable code, and the deferred-expression bookkeeping around them.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct ControlTests {
    @Test func loopsAndRecursion() throws {
        var builder = ModuleBuilder()
        // factorial by loop: acc = 1; while n > 1 { acc *= n; n -= 1 }
        builder.function([.i64], [.i64], locals: [.i64], export: "factorial", [
            .i64(1), .set(1),
            .block(.empty), .loop(.empty),
            .get(0), .i64(1), .op(.i64LeU), .brIf(1),
            .get(1), .get(0), .op(.i64Mul), .set(1),
            .get(0), .i64(1), .op(.i64Sub), .set(0),
            .br(0),
            .end, .end,
            .get(1),
        ])
        // fib by recursion (function index 1)
        builder.function([.i32], [.i32], export: "fib", [
            .get(0), .i32(2), .op(.i32LtU),
            .if(.value(.i32)), .get(0),
            .else, .get(0), .i32(1), .op(.i32Sub), .call(1), .get(0), .i32(2), .op(.i32Sub), .call(1), .op(.i32Add),
            .end,
        ])
        try ExportRunner.check(builder.module, [
            Call("factorial", [.i64(20)], .i64(2_432_902_008_176_640_000)),
            Call("factorial", [.i64(0)], .i64(1)),
            Call("fib", [.i32(20)], .i32(6765)),
        ])
    }

    @Test func brTable() throws {
        var builder = ModuleBuilder()
        // Returns 10 + index for 0...2, 99 otherwise; case 3 shares case 1's target.
        builder.function([.i32], [.i32], export: "switch", [
            .block(.empty), .block(.empty), .block(.empty), .block(.empty),
            .get(0), .brTable(targets: [0, 1, 2, 1], default: 3),
            .end, .i32(10), .return,
            .end, .i32(11), .return,
            .end, .i32(12), .return,
            .end, .i32(99),
        ])
        // br_table carrying a value out of nested blocks.
        builder.function([.i32], [.i32], export: "carry", [
            .block(.value(.i32)), .block(.value(.i32)),
            .i32(7), .get(0), .brTable(targets: [0], default: 1),
            .end, .i32(100), .op(.i32Add),
            .end,
        ])
        // Only a default target.
        builder.function([.i32], [.i32], export: "onlyDefault", [
            .block(.value(.i32)), .i32(5), .get(0), .brTable(targets: [], default: 0), .end,
        ])
        try ExportRunner.check(builder.module, [
            Call("switch", [.i32(0)], .i32(10)),
            Call("switch", [.i32(1)], .i32(11)),
            Call("switch", [.i32(2)], .i32(12)),
            Call("switch", [.i32(3)], .i32(11)),
            Call("switch", [.i32(4)], .i32(99)),
            Call("switch", [.i32(0xFFFF_FFFF)], .i32(99)),
            Call("carry", [.i32(0)], .i32(107)),
            Call("carry", [.i32(1)], .i32(7)),
            Call("carry", [.i32(9)], .i32(7)),
            Call("onlyDefault", [.i32(3)], .i32(5)),
        ])
    }

    @Test func multiValue() throws {
        var builder = ModuleBuilder()
        let pair = builder.type([.i32, .i64], [.i64, .i32])
        let accumulate = builder.type([.i32], [.i32])
        // (i32, i64) -> (i64, i32): swap through a block with parameters.
        let swap = builder.function([.i32, .i64], [.i64, .i32], export: "swap", [
            .get(0), .get(1),
            .block(.typeIndex(pair)), .set(1), .set(0), .get(1), .get(0), .end,
        ])
        // Calls the two-result function and folds the results.
        builder.function([], [.i64], export: "useSwap", [
            .i32(3), .i64(40), .call(swap), .op(.i64ExtendI32U), .op(.i64Sub),
        ])
        // Loop with a parameter: sums n..1 into the value the loop carries.
        builder.function([.i32], [.i32], export: "loopParam", [
            .i32(0),
            .loop(.typeIndex(accumulate)),
            .get(0), .op(.i32Add),
            .get(0), .i32(1), .op(.i32Sub), .localTee(0),
            .brIf(0),
            .end,
        ])
        // If with a parameter, both arms; and without else (pass-through).
        builder.function([.i32], [.i32], export: "ifParam", [
            .i32(5), .get(0),
            .if(.typeIndex(accumulate)), .i32(100), .op(.i32Add), .else, .i32(2), .op(.i32Mul), .end,
            .i32(1), .get(0), .op(.i32Eqz),
            .if(.typeIndex(accumulate)), .i32(1000), .op(.i32Add), .end,
            .op(.i32Add),
        ])
        // br_if leaving a value; if not taken the value stays for later.
        builder.function([.i32], [.i32], export: "brIfValue", [
            .block(.value(.i32)),
            .get(0), .i32(3), .op(.i32Mul), .get(0), .brIf(0),
            .i32(1), .op(.i32Add),
            .end,
        ])
        try ExportRunner.check(builder.module, [
            Call("swap", [.i32(1), .i64(2)], .i64(2), .i32(1)),
            Call("useSwap", [], .i64(37)),
            Call("loopParam", [.i32(10)], .i32(55)),
            Call("ifParam", [.i32(1)], .i32(106)),
            Call("ifParam", [.i32(0)], .i32(1011)),
            Call("brIfValue", [.i32(4)], .i32(12)),
            Call("brIfValue", [.i32(0)], .i32(1)),
        ])
    }

    @Test func unreachableCodeAndTraps() throws {
        var builder = ModuleBuilder()
        // Dead code after br, with nested blocks and an unbalanced stack.
        builder.function([], [.i32], export: "deadAfterBr", [
            .block(.value(.i32)),
            .i32(1), .br(0),
            .op(.i32Add), .block(.empty), .if(.empty), .else, .unreachable, .end, .end, .drop, .f32(1),
            .end,
        ])
        // Both if arms return: nothing after the if is reachable.
        builder.function([.i32], [.i32], export: "bothReturn", [
            .get(0), .if(.empty), .i32(1), .return, .else, .i32(2), .return, .end,
            .unreachable,
        ])
        builder.function([], [], export: "trap", [.unreachable])
        builder.function([.i32], [.i32], export: "trapInIf", [
            .get(0), .if(.empty), .unreachable, .end, .i32(9),
        ])
        // An infinite loop left only by return.
        builder.function([.i32], [.i32], export: "loopReturn", [
            .loop(.empty), .get(0), .i32(1), .op(.i32Add), .localTee(0), .i32(10), .op(.i32GeU),
            .if(.empty), .get(0), .return, .end, .br(0), .end,
            .unreachable,
        ])
        try ExportRunner.check(builder.module, [
            Call("deadAfterBr", [], .i32(1)),
            Call("bothReturn", [.i32(1)], .i32(1)),
            Call("bothReturn", [.i32(0)], .i32(2)),
            Call("trap", [], trap: "unreachable"),
            Call("trapInIf", [.i32(0)], .i32(9)),
            Call("trapInIf", [.i32(1)], trap: "unreachable"),
            Call("loopReturn", [.i32(3)], .i32(10)),
        ])
    }

    /// Runaway recursion exhausts the stack and traps (clang must not turn
    /// it into a loop); finite recursion of the same shape returns.
    @Test func callStackExhaustion() throws {
        var builder = ModuleBuilder()
        let runaway = builder.function([], [], export: "runaway", [.call(0)])
        // mutual: f calls g, g calls f, until the counter reaches 0
        builder.function([.i32], [.i32], export: "even", [
            .get(0), .op(.i32Eqz), .if(.value(.i32)), .i32(1), .else, .get(0), .i32(1), .op(.i32Sub), .call(2), .end,
        ])
        builder.function([.i32], [.i32], export: "odd", [
            .get(0), .op(.i32Eqz), .if(.value(.i32)), .i32(0), .else, .get(0), .i32(1), .op(.i32Sub), .call(1), .end,
        ])
        #expect(runaway == 0)
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "wasm_"))
        #expect(lowered.files[0].contents.contains("WC_LINK WC_RECURSIVE void f0(void);"))
        try ExportRunner.check(builder.module, [
            Call("runaway", [], trap: "call stack exhausted"),
            Call("even", [.i32(10_000)], .i32(1)),
            Call("odd", [.i32(7)], .i32(1)),
            Call("even", [.i32(0xFFFF_FFFF)], trap: "call stack exhausted"),
        ])
    }

    /// Deferred expressions must see the values of the moment they were
    /// pushed, whatever is written afterwards.
    @Test func deferredValuesKeepTheirMoment() throws {
        var builder = ModuleBuilder()
        let ten = builder.function([], [.i32], [.i32(10)])
        let twenty = builder.function([], [.i32], [.i32(20)])
        let five = builder.function([], [.i32], [.i32(5)])
        // (10 + 20) * 5: the sum reads slot 1, which the third call rewrites.
        builder.function([], [.i32], export: "slotReuse", [
            .call(ten), .call(twenty), .op(.i32Add), .call(five), .op(.i32Mul),
        ])
        // l0 - (l0 + 1) after l0 changed in between: the old l0 is used.
        builder.function([.i32], [.i32], export: "localReuse", [
            .get(0), .get(0), .i32(1), .op(.i32Add), .set(0), .get(0), .op(.i32Sub),
        ])
        // A local read pushed before a block that rewrites the local.
        builder.function([.i32], [.i32], export: "acrossBlock", [
            .get(0), .block(.empty), .i32(5), .set(0), .end, .get(0), .op(.i32Mul),
        ])
        // tee: the pushed value is the new one.
        builder.function([.i32], [.i32], export: "tee", [
            .get(0), .i32(3), .localTee(0), .op(.i32Sub), .get(0), .op(.i32Mul),
        ])
        // A long chain, deeper than the folding limit.
        builder.function([.i32], [.i32], export: "chain",
                         [.get(0)] + (1...100).flatMap { [Instruction.i32(Int32($0)), .op(.i32Add)] })
        // select on several types.
        builder.function([.i32], [.i64], export: "select", [
            .i64(7), .i64(9), .get(0), .select(nil),
            .f32(1), .f32(2), .get(0), .select([.f32]), .op(.i64TruncF32S), .op(.i64Add),
        ])
        try ExportRunner.check(builder.module, [
            Call("slotReuse", [], .i32(150)),
            Call("localReuse", [.i32(7)], .s32(-1)),
            Call("acrossBlock", [.i32(7)], .i32(35)),
            Call("tee", [.i32(10)], .i32(21)),
            Call("chain", [.i32(1)], .i32(5051)),
            Call("select", [.i32(1)], .i64(8)),
            Call("select", [.i32(0)], .i64(11)),
        ])
    }
}
