import Foundation
import Testing
import WasmCore
@testable import WasmToC

/// What hack/fuzz found, kept so it stays fixed: each case is the minimised
/// finding (wasm-reduce, in Tests/FuzzCases/wasm) and the same shape built
/// by hand, run through the lowering, clang and the host harness.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct FuzzRegressionTests {
    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("FuzzCases/wasm")

    static func load(_ name: String) throws -> Module {
        let bytes = try Data(contentsOf: cases.appendingPathComponent(name))
        let module = try Module.decode([UInt8](bytes))
        try module.validate()
        return module
    }

    /// binaryen -ttf: `(br_if 0 (i32.load8_u offset=22 (i32.const -32767)))`
    /// as the last thing in its block. The branch lands where falling through
    /// does, so clang deleted the test and the out-of-bounds load with it:
    /// wasmtime trapped, the generated code returned 0.
    @Test func branchToTheNextLabelStillTraps() throws {
        try ExportRunner.check(try Self.load("br-if-to-next-label.wasm"),
                               [Call("func", [.i64(0)], trap: "out of bounds memory access")],
                               flags: ["-march=x86-64-v2"])  // its v128 locals
    }

    /// binaryen -ttf: `(global.set $g12 (v128.load offset=3 (global.get $g13)))`
    /// with $g12 read nowhere: clang deleted the dead store and the load that
    /// should have trapped (wasmtime trapped, the generated code returned).
    @Test func storeToAnUnreadGlobalStillTraps() throws {
        try ExportRunner.check(try Self.load("global-set-unread.wasm"),
                               [Call("func_4", [], trap: "out of bounds memory access")],
                               flags: ["-march=x86-64-v2"])
    }

    static func unreadGlobal() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        builder.global(.i64, mutable: true, .i64(0))
        builder.function([.i32], [.i32], export: "intoUnreadGlobal", [
            .get(0), .load(.i64Load, MemoryArgument(align: 0, offset: 0)), .globalSet(0), .i32(4),
        ])
        return builder.module
    }

    @Test func loadIntoAnUnreadGlobal() throws {
        try ExportRunner.check(Self.unreadGlobal(), [
            Call("intoUnreadGlobal", [.i32(65536)], trap: "out of bounds memory access"),
        ])
        try ExportRunner.check(Self.unreadGlobal(), [Call("intoUnreadGlobal", [.i32(8)], .i32(4))])
    }

    /// binaryen -ttf: `(i64.store32 (i32.wrap_i64 (i64.shr_u (i64.const 0)
    /// (i64.load16_u ...))) ...)`: 0 shifted by anything is 0, so clang
    /// needed no load to compute the store's address.
    @Test func zeroShiftedByALoadStillTraps() throws {
        try ExportRunner.check(try Self.load("zero-shifted-by-load.wasm"),
                               [Call("func", [.f64(bits: 0), .i32(0)], trap: "out of bounds memory access")])
    }

    static func constantShifted() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        let arg = MemoryArgument(align: 0, offset: 0)
        for (name, op, constant) in [("shlZero", NumericOperator.i32Shl, Int32(0)), ("shrUZero", .i32ShrU, 0),
                                     ("shrSOnes", .i32ShrS, -1), ("rotlOnes", .i32Rotl, -1)] {
            builder.function([.i32], [.i32], export: name, [
                .i32(constant), .get(0), .load(.i32Load, arg), .op(op), .i32(9), .store(.i32Store, arg), .i32(1),
            ])
        }
        return builder.module
    }

    @Test(arguments: ["shlZero", "shrUZero", "shrSOnes", "rotlOnes"])
    func constantShiftedByALoadStillTraps(_ export: String) throws {
        try ExportRunner.check(Self.constantShifted(), [Call(export, [.i32(65536)], trap: "out of bounds memory access")])
    }

    static func forwardBranches() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        let arg = MemoryArgument(align: 0, offset: 0)
        builder.function([.i32], [.i32], export: "brIfToNextLabel", [
            .block(.empty), .get(0), .load(.i32Load, arg), .brIf(0), .end, .i32(1),
        ])
        builder.function([.i32], [.i32], export: "ifWithEmptyArm", [
            .get(0), .load(.i64Load, arg), .op(.i32WrapI64), .if(.empty), .end, .i32(2),
        ])
        builder.function([.i32], [.i32], export: "brTableToOneLabel", [
            .block(.empty), .block(.empty), .get(0), .load(.i32Load16U, arg),
            .brTable(targets: [1], default: 0), .end, .end, .i32(3),
        ])
        return builder.module
    }

    @Test(arguments: ["brIfToNextLabel", "ifWithEmptyArm", "brTableToOneLabel"])
    func forwardBranchConditionsStillTrap(_ export: String) throws {
        try ExportRunner.check(Self.forwardBranches(), [Call(export, [.i32(65536)], trap: "out of bounds memory access")])
    }

    @Test func forwardBranchConditionsInBounds() throws {
        try ExportRunner.check(Self.forwardBranches(), [
            Call("brIfToNextLabel", [.i32(0)], .i32(1)),
            Call("ifWithEmptyArm", [.i32(8)], .i32(2)),
            Call("brTableToOneLabel", [.i32(2)], .i32(3)),
        ])
    }

    /// binaryen -ttf (seed 92, unreduced): `(memory.fill (...) (i32.load16_u
    /// offset=22 (... (i32.load16_s ...))) (local.get $6))` with $6 never
    /// set: clang saw a fill of 0 bytes, dropped its value and the loads
    /// feeding it, one of which is out of bounds (wasmtime trapped).
    @Test func fillOfNothingStillTraps() throws {
        try ExportRunner.check(try Self.load("fill-nothing-of-a-load.wasm"),
                               [Call("func_0", [], trap: "out of bounds memory access")],
                               flags: ["-march=x86-64-v2"])
    }

    /// hack/fuzz binaryen (seed 92): a loop's back edge taken on a loaded
    /// condition, then taken unconditionally: clang merged the two branches
    /// and dropped the load; a memory.fill of a loaded byte over 0 bytes; a
    /// store overwritten before anything reads it; a value stored back where
    /// it was loaded from. Each deleted an out-of-bounds load.
    static func deletableConsumers() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        let arg = MemoryArgument(align: 0, offset: 0)
        builder.function([.i32], [.i32], locals: [.i32], export: "backEdgeTwice", [
            .i32(3), .set(1),
            .loop(.empty),
            .get(1), .op(.i32Eqz), .if(.empty), .i32(171), .return, .end,
            .get(1), .i32(1), .op(.i32Sub), .set(1),
            .get(0), .load(.i32Load16U, MemoryArgument(align: 0, offset: 22)), .brIf(0),
            .i32(-22), .brIf(0),
            .end,
            .i32(0),
        ])
        builder.function([.i32], [.i32], export: "fillNothing", [
            .i32(0), .get(0), .load(.i32Load16U, arg), .i32(0), .memoryFill, .i32(1),
        ])
        builder.function([.i32], [.i32], export: "overwrittenStore", [
            .i32(16), .get(0), .load(.i32Load, arg), .store(.i32Store, arg),
            .i32(16), .i32(5), .store(.i32Store, arg), .i32(2),
        ])
        builder.function([.i32], [.i32], export: "storedBack", [
            .get(0), .get(0), .load(.i64Load, arg), .store(.i64Store, arg), .i32(3),
        ])
        return builder.module
    }

    @Test(arguments: ["backEdgeTwice", "fillNothing", "overwrittenStore", "storedBack"])
    func deletableConsumersStillTrap(_ export: String) throws {
        try ExportRunner.check(Self.deletableConsumers(), [Call(export, [.i32(65536)], trap: "out of bounds memory access")])
    }

    @Test func deletableConsumersInBounds() throws {
        try ExportRunner.check(Self.deletableConsumers(), [
            Call("backEdgeTwice", [.i32(8)], .i32(171)),
            Call("fillNothing", [.i32(8)], .i32(1)),
            Call("overwrittenStore", [.i32(8)], .i32(2)),
            Call("storedBack", [.i32(8)], .i32(3)),
        ])
    }

    /// hack/fuzz binaryen (seed 112, modules 4980 and 6803, unreduced, with
    /// `wasm-opt --remove-imports`): the two shapes below, as found.
    @Test func inlinedConstantFindingsStillTrap() throws {
        try ExportRunner.check(try Self.load("back-edge-then-parameter.wasm"),
                               [Call("func_3_invoker", [], trap: "out of bounds memory access")],
                               flags: ["-march=x86-64-v2"])
        try ExportRunner.check(try Self.load("and-with-inlined-zero.wasm"),
                               [Call("func_7", [], trap: "out of bounds memory access")],
                               flags: ["-march=x86-64-v2"])
    }

    /// hack/fuzz binaryen (seed 112): what decides a load's fate is a
    /// parameter the caller passes as a constant; once clang inlined the
    /// callee it knew it. Module 4980: a back edge on a loaded condition,
    /// then one on the parameter (nonzero, so the load decides nothing).
    /// Module 6803: a load's value and-ed with a call's result that folds
    /// to 0, as the address of another load.
    static func knownAfterInlining() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        let arg = MemoryArgument(align: 0, offset: 0)
        let backEdges = builder.function([.i32, .i32], [.i32], locals: [.i32], [
            .i32(3), .set(2),
            .loop(.empty),
            .get(2), .op(.i32Eqz), .if(.empty), .i32(171), .return, .end,
            .get(2), .i32(1), .op(.i32Sub), .set(2),
            .get(0), .load(.i32Load, MemoryArgument(align: 0, offset: 4)), .op(.i32Eqz), .brIf(0),
            .block(.empty), .end,
            .get(1), .brIf(0),
            .end,
            .i32(0),
        ])
        builder.function([.i32], [.i32], export: "backEdgeThenParameter", [.get(0), .i32(-6_484_429), .call(backEdges)])
        let absorbing = builder.function([.i32, .i32], [.i32], [
            .get(0), .load(.i32Load, arg), .get(1), .op(.i32And), .load(.i32Load, arg),
        ])
        builder.function([.i32], [.i32], export: "andWithKnownZero", [.get(0), .i32(0), .call(absorbing)])
        let shifting = builder.function([.i32, .i32], [.i32], [
            .get(1), .get(0), .load(.i32Load, arg), .op(.i32Shl), .load(.i32Load, arg),
        ])
        builder.function([.i32], [.i32], export: "knownZeroShifted", [.get(0), .i32(0), .call(shifting)])
        return builder.module
    }

    @Test(arguments: ["backEdgeThenParameter", "andWithKnownZero", "knownZeroShifted"])
    func loadsDecidedByInlinedConstantsStillTrap(_ export: String) throws {
        try ExportRunner.check(Self.knownAfterInlining(), [Call(export, [.i32(65536)], trap: "out of bounds memory access")])
    }

    @Test func loadsDecidedByInlinedConstantsInBounds() throws {
        try ExportRunner.check(Self.knownAfterInlining(), [
            Call("backEdgeThenParameter", [.i32(8)], .i32(171)),
            Call("andWithKnownZero", [.i32(8)], .i32(0)),
            Call("knownZeroShifted", [.i32(8)], .i32(0)),
        ])
    }
}
