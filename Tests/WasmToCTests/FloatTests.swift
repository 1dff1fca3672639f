import Testing
import WasmCore
import WasmToC

/// Float semantics: NaN propagation, signed zeros, exact rounding. Run on
/// baseline x86-64 (the prelude's C rounding) and with SSE4.1 (roundss).
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct FloatTests {
    static let targets: [[String]] = [[], ["-msse4.1"]]

    @Test(arguments: targets)
    func f32Operations(flags: [String]) throws {
        let module = ModuleBuilder.operators([
            .f32Min, .f32Max, .f32Nearest, .f32Ceil, .f32Floor, .f32Trunc, .f32Sqrt, .f32Copysign, .f32Neg,
            .f32Abs, .f32Add, .f32Div, .f32Eq, .f32Ne, .f32Lt,
        ])
        let nan: Float = .nan
        try ExportRunner.check(module, [
            Call("f32Min", [.float(-0.0), .float(0.0)], .float(-0.0)),
            Call("f32Min", [.float(0.0), .float(-0.0)], .float(-0.0)),
            Call("f32Max", [.float(-0.0), .float(0.0)], .float(0.0)),
            Call("f32Max", [.float(0.0), .float(-0.0)], .float(0.0)),
            Call("f32Min", [.float(nan), .float(1)], .f32NaN),
            Call("f32Min", [.float(1), .float(nan)], .f32NaN),
            Call("f32Max", [.f32(bits: 0x7FA0_0000), .float(1)], .f32NaN),  // signalling in, quiet out
            Call("f32Min", [.float(-.infinity), .float(3)], .float(-.infinity)),
            Call("f32Max", [.float(2), .float(3)], .float(3)),
            Call("f32Nearest", [.float(0.5)], .float(0)),
            Call("f32Nearest", [.float(1.5)], .float(2)),
            Call("f32Nearest", [.float(2.5)], .float(2)),
            Call("f32Nearest", [.float(-0.5)], .float(-0.0)),
            Call("f32Nearest", [.float(-3.5)], .float(-4)),
            Call("f32Nearest", [.float(8_388_607.5)], .float(8_388_608)),
            Call("f32Nearest", [.float(16_777_215)], .float(16_777_215)),
            Call("f32Nearest", [.float(.infinity)], .float(.infinity)),
            Call("f32Nearest", [.f32(bits: 0x7FA0_0000)], .f32NaN),
            Call("f32Ceil", [.float(-0.5)], .float(-0.0)),
            Call("f32Ceil", [.float(0.25)], .float(1)),
            Call("f32Ceil", [.float(-1.5)], .float(-1)),
            Call("f32Floor", [.float(-0.5)], .float(-1)),
            Call("f32Floor", [.float(0.5)], .float(0)),
            Call("f32Floor", [.float(-0.0)], .float(-0.0)),
            Call("f32Trunc", [.float(-1.75)], .float(-1)),
            Call("f32Trunc", [.float(-0.75)], .float(-0.0)),
            Call("f32Trunc", [.float(1e30)], .float(1e30)),
            Call("f32Sqrt", [.float(2)], .float(Float(2).squareRoot())),
            Call("f32Sqrt", [.float(-1)], .f32NaN),
            Call("f32Sqrt", [.float(-0.0)], .float(-0.0)),
            Call("f32Copysign", [.float(1), .float(-0.0)], .float(-1)),
            Call("f32Copysign", [.f32(bits: 0x7FC0_0001), .float(-1)], .f32(bits: 0xFFC0_0001)),
            Call("f32Neg", [.f32(bits: 0x7FC0_0001)], .f32(bits: 0xFFC0_0001)),
            Call("f32Neg", [.float(0)], .float(-0.0)),
            Call("f32Abs", [.f32(bits: 0xFFA0_0001)], .f32(bits: 0x7FA0_0001)),
            Call("f32Add", [.float(0.1), .float(0.2)], .float(Float(0.1) + Float(0.2))),
            Call("f32Div", [.float(1), .float(0)], .float(.infinity)),
            Call("f32Div", [.float(0), .float(0)], .f32NaN),
            Call("f32Eq", [.float(nan), .float(nan)], .i32(0)),
            Call("f32Ne", [.float(nan), .float(nan)], .i32(1)),
            Call("f32Eq", [.float(0), .float(-0.0)], .i32(1)),
            Call("f32Lt", [.float(nan), .float(1)], .i32(0)),
        ], flags: flags)
    }

    @Test(arguments: targets)
    func f64Operations(flags: [String]) throws {
        let module = ModuleBuilder.operators([
            .f64Min, .f64Max, .f64Nearest, .f64Ceil, .f64Floor, .f64Trunc, .f64Sqrt, .f64Copysign, .f64Neg,
            .f64Mul, .f64Sub,
        ])
        try ExportRunner.check(module, [
            Call("f64Min", [.double(-0.0), .double(0.0)], .double(-0.0)),
            Call("f64Max", [.double(-0.0), .double(0.0)], .double(0.0)),
            Call("f64Min", [.double(.nan), .double(0)], .f64NaN),
            Call("f64Max", [.double(0), .f64(bits: 0x7FF0_0000_0000_0001)], .f64NaN),
            Call("f64Nearest", [.double(0.5)], .double(0)),
            Call("f64Nearest", [.double(-2.5)], .double(-2)),
            Call("f64Nearest", [.double(4_503_599_627_370_495.5)], .double(4_503_599_627_370_496)),
            Call("f64Nearest", [.double(-0.25)], .double(-0.0)),
            Call("f64Ceil", [.double(-0.9)], .double(-0.0)),
            Call("f64Ceil", [.double(1.0000001)], .double(2)),
            Call("f64Floor", [.double(-1e-300)], .double(-1)),
            Call("f64Trunc", [.double(-9_007_199_254_740_994)], .double(-9_007_199_254_740_994)),
            Call("f64Trunc", [.double(-4_503_599_627_370_495.5)], .double(-4_503_599_627_370_495)),
            Call("f64Trunc", [.double(.nan)], .f64NaN),
            Call("f64Sqrt", [.double(2)], .double(Double(2).squareRoot())),
            Call("f64Copysign", [.double(3), .double(-.nan)], .double(-3)),
            Call("f64Neg", [.double(.infinity)], .double(-.infinity)),
            // No fused multiply-add: a*b-c with the product rounded first.
            Call("f64Mul", [.double(0.1), .double(10)], .double(0.1 * 10)),
        ], flags: flags)
    }

    /// a*b+c must round twice, even with FMA available.
    @Test func noContraction() throws {
        var builder = ModuleBuilder()
        builder.function([.f64, .f64, .f64], [.f64], export: "muladd", [
            .get(0), .get(1), .op(.f64Mul), .get(2), .op(.f64Add),
        ])
        let a = 1.0 + 0x1p-30, c = -(1.0 + 0x1p-29)
        try ExportRunner.check(builder.module, [
            Call("muladd", [.double(a), .double(a), .double(c)], .double(a * a + c)),
        ], flags: ["-mfma"])
    }
}
