import Testing
import WasmCore
import WasmToC

/// Conversions: trapping truncation (NaN vs range), saturating truncation,
/// correctly rounded int-to-float, reinterpretation.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct ConversionTests {
    @Test func trappingTruncation() throws {
        let module = ModuleBuilder.operators([
            .i32TruncF32S, .i32TruncF32U, .i32TruncF64S, .i32TruncF64U,
            .i64TruncF32S, .i64TruncF32U, .i64TruncF64S, .i64TruncF64U,
        ])
        let overflow = "integer overflow", invalid = "invalid conversion to integer"
        try ExportRunner.check(module, [
            Call("i32TruncF32S", [.float(-2147483648)], .s32(Int32.min)),
            Call("i32TruncF32S", [.float(2147483648)], trap: overflow),
            Call("i32TruncF32S", [.float(-2147483904)], trap: overflow),
            Call("i32TruncF32S", [.float(-1.9)], .s32(-1)),
            Call("i32TruncF32S", [.float(.nan)], trap: invalid),
            Call("i32TruncF32U", [.float(-0.9)], .i32(0)),
            Call("i32TruncF32U", [.float(-1)], trap: overflow),
            Call("i32TruncF32U", [.float(4294967040)], .i32(4_294_967_040)),
            Call("i32TruncF32U", [.float(4294967296)], trap: overflow),
            Call("i32TruncF64S", [.double(-2147483648.9)], .s32(Int32.min)),
            Call("i32TruncF64S", [.double(-2147483649)], trap: overflow),
            Call("i32TruncF64S", [.double(2147483647.9)], .s32(Int32.max)),
            Call("i32TruncF64U", [.double(4294967295.9)], .i32(UInt32.max)),
            Call("i32TruncF64U", [.double(-.infinity)], trap: overflow),
            Call("i32TruncF64U", [.double(.nan)], trap: invalid),
            Call("i64TruncF32S", [.float(-9.223372e18)], .s64(-9_223_372_036_854_775_808)),
            Call("i64TruncF32S", [.float(9.223372e18)], trap: overflow),
            Call("i64TruncF32U", [.float(0x1p64)], trap: overflow),
            Call("i64TruncF32U", [.f32(bits: 0x5F7F_FFFF)], .i64(0xFFFF_FF00_0000_0000)),
            Call("i64TruncF64S", [.double(-9223372036854775808)], .s64(Int64.min)),
            Call("i64TruncF64S", [.double(9223372036854775808)], trap: overflow),
            Call("i64TruncF64U", [.double(18446744073709549568)], .i64(18_446_744_073_709_549_568)),
            Call("i64TruncF64U", [.double(18446744073709551616)], trap: overflow),
            Call("i64TruncF64U", [.double(-0.99)], .i64(0)),
            Call("i64TruncF64U", [.f64(bits: 0x7FF0_0000_0000_0001)], trap: invalid),
        ])
    }

    @Test func saturatingTruncation() throws {
        let module = ModuleBuilder.operators([
            .i32TruncSatF32S, .i32TruncSatF32U, .i32TruncSatF64S, .i32TruncSatF64U,
            .i64TruncSatF32S, .i64TruncSatF32U, .i64TruncSatF64S, .i64TruncSatF64U,
        ])
        try ExportRunner.check(module, [
            Call("i32TruncSatF32S", [.float(.nan)], .i32(0)),
            Call("i32TruncSatF32S", [.float(3e9)], .s32(Int32.max)),
            Call("i32TruncSatF32S", [.float(-3e9)], .s32(Int32.min)),
            Call("i32TruncSatF32S", [.float(-7.5)], .s32(-7)),
            Call("i32TruncSatF32U", [.float(-1)], .i32(0)),
            Call("i32TruncSatF32U", [.float(.infinity)], .i32(UInt32.max)),
            Call("i32TruncSatF64S", [.double(-2147483649)], .s32(Int32.min)),
            Call("i32TruncSatF64S", [.double(2147483647.5)], .s32(Int32.max)),
            Call("i32TruncSatF64U", [.double(4294967296)], .i32(UInt32.max)),
            Call("i32TruncSatF64U", [.double(.nan)], .i32(0)),
            Call("i64TruncSatF32S", [.float(-.infinity)], .s64(Int64.min)),
            Call("i64TruncSatF32S", [.float(1e19)], .s64(Int64.max)),
            Call("i64TruncSatF32U", [.float(1e20)], .i64(UInt64.max)),
            Call("i64TruncSatF32U", [.float(-5)], .i64(0)),
            Call("i64TruncSatF64S", [.double(.nan)], .i64(0)),
            Call("i64TruncSatF64S", [.double(-1e19)], .s64(Int64.min)),
            Call("i64TruncSatF64U", [.double(1.5e19)], .i64(15_000_000_000_000_000_000)),
            Call("i64TruncSatF64U", [.double(2e19)], .i64(UInt64.max)),
        ])
    }

    @Test func toFloatAndReinterpret() throws {
        let module = ModuleBuilder.operators([
            .f32ConvertI32S, .f32ConvertI32U, .f32ConvertI64S, .f32ConvertI64U, .f64ConvertI64S, .f64ConvertI64U,
            .f64ConvertI32U, .f32DemoteF64, .f64PromoteF32, .i32ReinterpretF32, .f32ReinterpretI32,
            .i64ReinterpretF64, .f64ReinterpretI64,
        ])
        try ExportRunner.check(module, [
            Call("f32ConvertI32S", [.s32(-16_777_217)], .float(-16_777_216)),
            Call("f32ConvertI32U", [.i32(UInt32.max)], .float(4_294_967_296)),
            Call("f32ConvertI32U", [.i32(0x8000_0081)], .float(2_147_483_904)),
            Call("f32ConvertI64S", [.s64(-9_223_371_761_976_868_863)], .float(-9_223_371_487_098_961_920)),
            // Round to nearest: the sticky low bit must break the tie upwards.
            Call("f32ConvertI64U", [.i64(0x8000_0080_0000_0001)], .f32(bits: 0x5F00_0001)),
            Call("f32ConvertI64U", [.i64(0x8000_0080_0000_0000)], .f32(bits: 0x5F00_0000)),
            Call("f32ConvertI64U", [.i64(UInt64.max)], .float(18_446_744_073_709_551_616)),
            Call("f64ConvertI64S", [.s64(Int64.min)], .double(-9_223_372_036_854_775_808)),
            Call("f64ConvertI64U", [.i64(0x8000_0000_0000_0401)], .f64(bits: 0x43E0_0000_0000_0001)),
            Call("f64ConvertI64U", [.i64(UInt64.max)], .double(18_446_744_073_709_551_616)),
            Call("f64ConvertI32U", [.i32(UInt32.max)], .double(4_294_967_295)),
            Call("f32DemoteF64", [.double(1e300)], .float(.infinity)),
            Call("f32DemoteF64", [.double(0x1.000001p0)], .float(1)),
            Call("f32DemoteF64", [.f64(bits: 0x7FF4_0000_0000_0000)], .f32NaN),
            Call("f64PromoteF32", [.float(-0.0)], .double(-0.0)),
            Call("i32ReinterpretF32", [.f32(bits: 0x7FA0_0001)], .i32(0x7FA0_0001)),
            Call("f32ReinterpretI32", [.i32(0xFFA0_0001)], .f32(bits: 0xFFA0_0001)),
            Call("i64ReinterpretF64", [.double(-0.0)], .i64(0x8000_0000_0000_0000)),
            Call("f64ReinterpretI64", [.i64(0x7FF0_0000_0000_0001)], .f64(bits: 0x7FF0_0000_0000_0001)),
        ])
    }

    /// Every numeric operator has a C form.
    @Test func everyOperatorLowers() {
        for op in NumericOperator.allCases {
            #expect(throws: Never.self, "\(op)") { _ = try CLowering.lower(ModuleBuilder.operators([op]), options: LoweringOptions(exportPrefix: "x_")) }
        }
    }
}
