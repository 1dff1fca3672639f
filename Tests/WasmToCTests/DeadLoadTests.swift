import Testing
import WasmCore
@testable import WasmToC

/// A load whose value nobody needs must still trap when out of bounds:
/// clang would otherwise delete it (dead value, value folded away by
/// algebra, or sunk into the one branch that uses it), and then the
/// guard page never sees the access.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct DeadLoadTests {
    static func module() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        let arg = MemoryArgument(align: 0, offset: 0)
        // The value goes into a local that is never read.
        builder.function([.i32], [.i32], locals: [.i32], export: "intoUnreadLocal",
                         [.get(0), .load(.i32Load, arg), .set(1), .i32(1)])
        // The local is overwritten before anyone reads it.
        builder.function([.i32], [.i32], locals: [.i64], export: "overwritten",
                         [.get(0), .load(.i64Load, arg), .set(1), .i64(5), .set(1), .get(1), .op(.i32WrapI64)])
        // x * 0, x & 0 and x - x never need x.
        builder.function([.i32], [.i32], export: "timesZero",
                         [.get(0), .load(.i32Load, arg), .i32(0), .op(.i32Mul)])
        builder.function([.i32], [.i64], export: "andZero",
                         [.get(0), .load(.i64Load8U, arg), .i64(0), .op(.i64And)])
        builder.function([.i32], [.i32], locals: [.i32], export: "minusItself",
                         [.get(0), .load(.i32Load16S, arg), .set(1), .get(1), .get(1), .op(.i32Sub)])
        // Used only on the branch not taken: clang may sink the load into it.
        builder.function([.i32, .i32], [.i32], locals: [.i32], export: "usedOnOneBranch", [
            .get(0), .load(.i32Load, arg), .set(2),
            .get(1), .if(.empty), .get(2), .return, .end,
            .i32(7),
        ])
        // A float load feeding only a comparison that folds.
        builder.function([.i32], [.i32], locals: [.f64], export: "floatUnread",
                         [.get(0), .load(.f64Load, arg), .set(1), .i32(1)])
        return builder.module
    }

    @Test(arguments: [
        ("intoUnreadLocal", [Value.i32(65536)]),
        ("overwritten", [Value.i32(65535)]),
        ("timesZero", [Value.i32(70000)]),
        ("andZero", [Value.i32(65536)]),
        ("minusItself", [Value.i32(65535)]),
        ("usedOnOneBranch", [Value.i32(65536), Value.i32(0)]),
        ("floatUnread", [Value.i32(0xFFFF_FFF8)]),
    ])
    func outOfBoundsStillTraps(_ export: String, _ arguments: [Value]) throws {
        try ExportRunner.check(Self.module(), [Call(export, arguments, trap: "out of bounds memory access")])
    }

    @Test func inBoundsResults() throws {
        try ExportRunner.check(Self.module(), [
            Call("intoUnreadLocal", [.i32(0)], .i32(1)),
            Call("overwritten", [.i32(8)], .i32(5)),
            Call("timesZero", [.i32(4)], .i32(0)),
            Call("andZero", [.i32(65535)], .i64(0)),
            Call("minusItself", [.i32(2)], .i32(0)),
            Call("usedOnOneBranch", [.i32(0), .i32(0)], .i32(7)),
            Call("usedOnOneBranch", [.i32(0), .i32(1)], .i32(0)),
            Call("floatUnread", [.i32(8)], .i32(1)),
        ])
    }

    /// Loads whose values certainly reach a store, a branch or an
    /// accumulator carry no keep (which would block clang's loop
    /// optimisations); the unused ones do. (The sum's store is read back
    /// before the return: a store still unread at a return may be
    /// overwritten by the caller's once clang inlines.)
    @Test func hotLoopsCarryNoKeeps() throws {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        let arg = MemoryArgument(align: 0, offset: 0)
        // for (i = n; i; i -= 4) { sum += mem[i] * mem[i + 4]; mem[i] = mem[i] + 1 } return sum
        builder.function([.i32], [.i32], locals: [.i32], export: "loop", [
            .loop(.empty),
            .get(1), .get(0), .load(.i32Load, arg), .get(0), .load(.i32Load, MemoryArgument(align: 0, offset: 4)),
            .op(.i32Mul), .op(.i32Add), .set(1),
            .get(0), .get(0), .load(.i32Load, arg), .i32(1), .op(.i32Add), .store(.i32Store, arg),
            .get(0), .i32(4), .op(.i32Sub), .localTee(0),
            .brIf(0),
            .end,
            .i32(0), .get(1), .store(.i32Store, arg),
            .i32(0), .load(.i32Load, arg),
        ])
        builder.function([.i32], [], locals: [.i32], export: "unused", [.get(0), .load(.i32Load, arg), .set(1)])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "w_"))
        let unit = try #require(lowered.files.first { $0.name == "module_0.c" }?.contents)
        let loop = try #require(unit.range(of: "f0(").map { unit[$0.lowerBound...] }?.prefix { $0 != "}" })
        let body = try #require(loop.range(of: "goto L1;").map { loop[..<$0.lowerBound] })
        #expect(!body.contains("wc_keep"), "\(loop)")
        let unused = try #require(unit.range(of: "f1(").map { unit[$0.lowerBound...] }?.prefix { $0 != "}" })
        #expect(unused.contains("wc_keep_i32("), "\(unused)")
    }

    /// A store still unread when its function returns may be overwritten by
    /// the caller's once clang inlines the call (with the harness's fixed
    /// memory base, clang -O2 then deletes the callee's load): its load is
    /// kept.
    @Test func storeUnreadAtReturnKeepsItsLoad() throws {
        var builder = ModuleBuilder()
        builder.memory(1, 1)
        let arg = MemoryArgument(align: 0, offset: 0)
        let callee = builder.function([.i32], [], [
            .i32(16), .get(0), .load(.i32Load, arg), .i32(1), .op(.i32Add), .store(.i32Store, arg),
        ])
        builder.function([.i32], [.i32], export: "caller", [
            .get(0), .call(callee), .i32(16), .i32(5), .store(.i32Store, arg), .i32(4),
        ])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "w_"))
        let unit = try #require(lowered.files.first { $0.name == "module_0.c" }?.contents)
        let body = try #require(unit.range(of: "f0(uint32_t l0) {").map { unit[$0.lowerBound...] }?.prefix { $0 != "}" })
        #expect(body.contains("wc_keep_i32("), "\(body)")
    }
}
