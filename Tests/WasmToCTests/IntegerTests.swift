import Testing
import WasmCore
import WasmToC

/// Integer semantics of the generated C, run on the host: wraparound,
/// traps, masked shifts, rotates, bit counts, signedness.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct IntegerTests {
    @Test func i32Arithmetic() throws {
        let module = ModuleBuilder.operators([
            .i32Add, .i32Sub, .i32Mul, .i32DivS, .i32DivU, .i32RemS, .i32RemU, .i32Shl, .i32ShrS, .i32ShrU,
            .i32Rotl, .i32Rotr, .i32Clz, .i32Ctz, .i32Popcnt, .i32Eqz, .i32LtS, .i32LtU, .i32GeS, .i32GeU,
            .i32Extend8S, .i32Extend16S, .i32And, .i32Or, .i32Xor,
        ])
        try ExportRunner.check(module, [
            Call("i32Add", [.i32(0x7FFF_FFFF), .i32(1)], .i32(0x8000_0000)),
            Call("i32Sub", [.i32(0), .i32(1)], .i32(0xFFFF_FFFF)),
            Call("i32Mul", [.i32(0x1_0001), .i32(0x1_0001)], .i32(0x2_0001)),
            Call("i32Mul", [.s32(Int32.min), .s32(-1)], .s32(Int32.min)),
            Call("i32DivS", [.s32(7), .s32(-2)], .s32(-3)),
            Call("i32DivS", [.s32(-7), .s32(2)], .s32(-3)),
            Call("i32DivS", [.s32(Int32.min), .s32(-1)], trap: "integer overflow"),
            Call("i32DivS", [.s32(1), .s32(0)], trap: "integer divide by zero"),
            Call("i32DivU", [.s32(-1), .s32(2)], .i32(0x7FFF_FFFF)),
            Call("i32DivU", [.i32(1), .i32(0)], trap: "integer divide by zero"),
            Call("i32RemS", [.s32(Int32.min), .s32(-1)], .i32(0)),
            Call("i32RemS", [.s32(-7), .s32(2)], .s32(-1)),
            Call("i32RemS", [.s32(7), .s32(0)], trap: "integer divide by zero"),
            Call("i32RemU", [.s32(-1), .i32(10)], .i32(5)),
            Call("i32RemU", [.i32(5), .i32(0)], trap: "integer divide by zero"),
            Call("i32Shl", [.i32(1), .i32(33)], .i32(2)),
            Call("i32Shl", [.i32(1), .i32(31)], .i32(0x8000_0000)),
            Call("i32ShrS", [.s32(-8), .i32(0xFFFF_FFFF)], .s32(-1)),
            Call("i32ShrS", [.s32(-8), .i32(1)], .s32(-4)),
            Call("i32ShrU", [.i32(0x8000_0000), .i32(63)], .i32(1)),
            Call("i32Rotl", [.i32(0x8000_0001), .i32(1)], .i32(3)),
            Call("i32Rotl", [.i32(0x1234_5678), .i32(32)], .i32(0x1234_5678)),
            Call("i32Rotr", [.i32(1), .i32(33)], .i32(0x8000_0000)),
            Call("i32Clz", [.i32(0)], .i32(32)),
            Call("i32Clz", [.i32(1)], .i32(31)),
            Call("i32Ctz", [.i32(0)], .i32(32)),
            Call("i32Ctz", [.i32(0x8000_0000)], .i32(31)),
            Call("i32Popcnt", [.i32(0xFFFF_FFFF)], .i32(32)),
            Call("i32Eqz", [.i32(0)], .i32(1)),
            Call("i32Eqz", [.i32(7)], .i32(0)),
            Call("i32LtS", [.s32(-1), .i32(0)], .i32(1)),
            Call("i32LtU", [.s32(-1), .i32(0)], .i32(0)),
            Call("i32GeS", [.s32(Int32.min), .s32(Int32.max)], .i32(0)),
            Call("i32GeU", [.s32(Int32.min), .s32(Int32.max)], .i32(1)),
            Call("i32Extend8S", [.i32(0x80)], .i32(0xFFFF_FF80)),
            Call("i32Extend8S", [.i32(0x1_7F)], .i32(0x7F)),
            Call("i32Extend16S", [.i32(0x8000)], .i32(0xFFFF_8000)),
            Call("i32And", [.i32(0xF0F0), .i32(0xFF00)], .i32(0xF000)),
            Call("i32Or", [.i32(0xF0F0), .i32(0xFF00)], .i32(0xFFF0)),
            Call("i32Xor", [.i32(0xF0F0), .i32(0xFF00)], .i32(0x0FF0)),
        ])
    }

    @Test func i64Arithmetic() throws {
        let module = ModuleBuilder.operators([
            .i64Add, .i64Mul, .i64DivS, .i64DivU, .i64RemS, .i64RemU, .i64Shl, .i64ShrS, .i64ShrU, .i64Rotl,
            .i64Rotr, .i64Clz, .i64Ctz, .i64Popcnt, .i64Eqz, .i64LtS, .i64LtU, .i64Extend8S, .i64Extend16S,
            .i64Extend32S, .i64ExtendI32S, .i64ExtendI32U, .i32WrapI64,
        ])
        try ExportRunner.check(module, [
            Call("i64Add", [.i64(UInt64.max), .i64(2)], .i64(1)),
            Call("i64Mul", [.i64(0x1_0000_0000), .i64(0x1_0000_0000)], .i64(0)),
            Call("i64DivS", [.s64(Int64.min), .s64(-1)], trap: "integer overflow"),
            Call("i64DivS", [.s64(Int64.min), .s64(2)], .s64(Int64.min / 2)),
            Call("i64DivS", [.i64(1), .i64(0)], trap: "integer divide by zero"),
            Call("i64DivU", [.i64(UInt64.max), .i64(0x1_0000_0000)], .i64(0xFFFF_FFFF)),
            Call("i64DivU", [.i64(1), .i64(0)], trap: "integer divide by zero"),
            Call("i64RemS", [.s64(Int64.min), .s64(-1)], .i64(0)),
            Call("i64RemS", [.s64(-7), .s64(3)], .s64(-1)),
            Call("i64RemS", [.i64(1), .i64(0)], trap: "integer divide by zero"),
            Call("i64RemU", [.i64(UInt64.max), .i64(10)], .i64(5)),
            Call("i64RemU", [.i64(1), .i64(0)], trap: "integer divide by zero"),
            Call("i64Shl", [.i64(1), .i64(65)], .i64(2)),
            Call("i64ShrS", [.s64(Int64.min), .i64(63)], .s64(-1)),
            Call("i64ShrU", [.s64(Int64.min), .i64(127)], .i64(1)),
            Call("i64Rotl", [.i64(0x8000_0000_0000_0001), .i64(65)], .i64(3)),
            Call("i64Rotr", [.i64(1), .i64(1)], .i64(0x8000_0000_0000_0000)),
            Call("i64Clz", [.i64(0)], .i64(64)),
            Call("i64Clz", [.i64(1)], .i64(63)),
            Call("i64Ctz", [.i64(0)], .i64(64)),
            Call("i64Popcnt", [.i64(UInt64.max)], .i64(64)),
            Call("i64Eqz", [.i64(0)], .i32(1)),
            Call("i64LtS", [.s64(-1), .i64(0)], .i32(1)),
            Call("i64LtU", [.s64(-1), .i64(0)], .i32(0)),
            Call("i64Extend8S", [.i64(0xFF)], .s64(-1)),
            Call("i64Extend16S", [.i64(0x7FFF)], .i64(0x7FFF)),
            Call("i64Extend32S", [.i64(0x8000_0000)], .i64(0xFFFF_FFFF_8000_0000)),
            Call("i64ExtendI32S", [.s32(-2)], .s64(-2)),
            Call("i64ExtendI32U", [.s32(-2)], .i64(0xFFFF_FFFE)),
            Call("i32WrapI64", [.i64(0x1_2345_6789)], .i32(0x2345_6789)),
        ])
    }

    /// Constant operands fold into one C expression; the results must not
    /// change (no signed overflow or oversized shift in that expression).
    @Test func constantOperandsFold() throws {
        var builder = ModuleBuilder()
        builder.function([], [.i32], export: "folded", [
            .i32(Int32.max), .i32(1), .op(.i32Add),          // wraps
            .i32(35), .op(.i32Shl),                           // count masked to 3
            .i32(-1), .op(.i32Mul),
            .i32(1), .op(.i32Rotr),
            .i32(0), .op(.i32Clz), .op(.i32Add),
        ])
        let expected = ((UInt32(0x8000_0000) << 3) &* UInt32.max).rotateRight(1) &+ 32
        try ExportRunner.check(builder.module, [Call("folded", [], .i32(expected))])
    }
}

extension UInt32 {
    func rotateRight(_ count: UInt32) -> UInt32 { (self >> (count & 31)) | (self << ((32 - count) & 31)) }
}
