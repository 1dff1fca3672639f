import Testing
import WasmCore
@testable import WasmToC

/// Spelling of literals and names; their exactness is also checked by
/// compiling and running them (`constantsRoundTrip`).
struct CSyntaxTests {
    @Test(arguments: [
        (Float(1).bitPattern, "0x1p+0f"),
        (Float(0.1).bitPattern, "0x1.99999ap-4f"),
        (Float(-2.5).bitPattern, "(-0x1.4p+1f)"),
        (UInt32(0), "0x0p-126f"),
        (UInt32(0x8000_0000), "(-0x0p-126f)"),
        (UInt32(1), "0x0.000002p-126f"),
        (Float.greatestFiniteMagnitude.bitPattern, "0x1.fffffep+127f"),
        (Float.infinity.bitPattern, "__builtin_inff()"),
        ((-Float.infinity).bitPattern, "(-__builtin_inff())"),
        (UInt32(0x7FA0_0001), "wc_f32_from_bits(0x7fa00001u)"),
    ])
    func f32Literal(bits: UInt32, text: String) {
        #expect(CSyntax.f32(bits: bits).text == text)
        #expect(CSyntax.f32(bits: bits).isConstant == !Float(bitPattern: bits).isNaN)
    }

    @Test(arguments: [
        (Double(1).bitPattern, "0x1p+0"),
        (Double(0.1).bitPattern, "0x1.999999999999ap-4"),
        (Double.greatestFiniteMagnitude.bitPattern, "0x1.fffffffffffffp+1023"),
        (UInt64(1), "0x0.0000000000001p-1022"),
        ((-Double(0)).bitPattern, "(-0x0p-1022)"),
        (UInt64(0xFFF8_0000_0000_0000), "wc_f64_from_bits(0xfff8000000000000ull)"),
    ])
    func f64Literal(bits: UInt64, text: String) {
        #expect(CSyntax.f64(bits: bits).text == text)
    }

    @Test func stringLiteralEscapes() {
        // Octal escapes are always 3 digits (a following digit stays a
        // digit); ? is escaped against trigraphs.
        #expect(CSyntax.stringLiteralLines([0, 0x31, 0x22, 0x5C, 0x3F, 0x3F, 0x3D, 0x41, 0xFF, 0x0A])
            == [#""\0001\"\\\?\?=A\377\012""#])
        #expect(CSyntax.stringLiteralLines(Array(repeating: 0x61, count: 5), bytesPerLine: 2)
            == [#""aa""#, #""aa""#, #""a""#])
        #expect(CSyntax.stringLiteralLines([]) == [#""""#])
    }

    @Test(arguments: [("a.b", "a_x2eb"), ("_start", "__start"), ("é", "_xc3_xa9"), ("x_1", "x__1")])
    func mangling(name: String, mangled: String) {
        #expect(CSyntax.mangle(name) == mangled)
        #expect(ExportRunner.mangle(name) == mangled)
    }

    /// Constants of every class come back bit-exact from compiled code.
    @Test(.enabled(if: HostHarness.available, "needs clang"))
    func constantsRoundTrip() throws {
        let floats: [UInt32] = [0, 0x8000_0000, 1, 0x807F_FFFF, 0x3DCC_CCCD, 0x7F7F_FFFF, 0x7F80_0000,
                                0xFF80_0000, 0x7FC0_0000, 0x7FA0_0001, 0xFFFF_FFFF]
        let doubles: [UInt64] = [0, 0x8000_0000_0000_0000, 1, 0x3FB9_9999_9999_999A, 0x7FEF_FFFF_FFFF_FFFF,
                                 0x7FF0_0000_0000_0000, 0x7FF4_0000_0000_0001, 0xFFF8_0000_0000_0000]
        var builder = ModuleBuilder()
        var calls: [Call] = []
        for (index, bits) in floats.enumerated() {
            builder.function([], [.f32], export: "f\(index)", [.f32Const(bits: bits)])
            calls.append(Call("f\(index)", [], .f32(bits: bits)))
        }
        for (index, bits) in doubles.enumerated() {
            builder.function([], [.f64], export: "d\(index)", [.f64Const(bits: bits)])
            calls.append(Call("d\(index)", [], .f64(bits: bits)))
        }
        for value in [UInt64(0), 4095, 4096, UInt64.max] {
            builder.function([], [.i64], export: "i\(value)", [.i64Const(value)])
            calls.append(Call("i\(value)", [], .i64(value)))
        }
        // Globals take the static-initialiser path (NaN: at instantiation).
        for bits in [0x7FA0_0001, 0x8000_0001] as [UInt32] {
            let global = builder.global(.f32, mutable: false, .f32(bits: bits))
            builder.function([], [.f32], export: "g\(global)", [.globalGet(global)])
            calls.append(Call("g\(global)", [], .f32(bits: bits)))
        }
        try ExportRunner.check(builder.module, calls)
    }
}
