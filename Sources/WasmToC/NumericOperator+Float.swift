import WasmCore

extension NumericOperator {
    /// Arithmetic whose constant operand clang would fold away (x - 0.0,
    /// x * 1.0, x / -1.0 and -0.0 - x become x or -x), which loses the
    /// quieting of a signalling NaN Wasm requires: constants reach these
    /// through `wc_f32_opaque` / `wc_f64_opaque`.
    static let constantSensitive: Set<NumericOperator> = [
        .f32Add, .f32Sub, .f32Mul, .f32Div, .f64Add, .f64Sub, .f64Mul, .f64Div,
    ]

    /// f32/f64 comparisons and arithmetic. C's operators are the IEEE ones
    /// (SSE, FP_CONTRACT off); min, max, rounding and sqrt go through the
    /// prelude for the Wasm NaN and signed-zero rules and for no libm.
    var floatTemplate: NumericTemplate? {
        switch self {
        case .f32Eq, .f64Eq: NumericTemplate(text: "((uint32_t)($0 == $1))")
        case .f32Ne, .f64Ne: NumericTemplate(text: "((uint32_t)($0 != $1))")
        case .f32Lt, .f64Lt: NumericTemplate(text: "((uint32_t)($0 < $1))")
        case .f32Gt, .f64Gt: NumericTemplate(text: "((uint32_t)($0 > $1))")
        case .f32Le, .f64Le: NumericTemplate(text: "((uint32_t)($0 <= $1))")
        case .f32Ge, .f64Ge: NumericTemplate(text: "((uint32_t)($0 >= $1))")

        case .f32Abs: NumericTemplate(text: "__builtin_fabsf($0)")
        case .f64Abs: NumericTemplate(text: "__builtin_fabs($0)")
        case .f32Neg, .f64Neg: NumericTemplate(text: "(-$0)")
        case .f32Ceil: NumericTemplate(text: "wc_f32_ceil($0)")
        case .f32Floor: NumericTemplate(text: "wc_f32_floor($0)")
        case .f32Trunc: NumericTemplate(text: "wc_f32_trunc($0)")
        case .f32Nearest: NumericTemplate(text: "wc_f32_nearest($0)")
        case .f32Sqrt: NumericTemplate(text: "wc_f32_sqrt($0)")
        case .f64Ceil: NumericTemplate(text: "wc_f64_ceil($0)")
        case .f64Floor: NumericTemplate(text: "wc_f64_floor($0)")
        case .f64Trunc: NumericTemplate(text: "wc_f64_trunc($0)")
        case .f64Nearest: NumericTemplate(text: "wc_f64_nearest($0)")
        case .f64Sqrt: NumericTemplate(text: "wc_f64_sqrt($0)")
        case .f32Add, .f64Add: NumericTemplate(text: "($0 + $1)")
        case .f32Sub, .f64Sub: NumericTemplate(text: "($0 - $1)")
        case .f32Mul, .f64Mul: NumericTemplate(text: "($0 * $1)")
        case .f32Div, .f64Div: NumericTemplate(text: "($0 / $1)")
        case .f32Min: NumericTemplate(text: "wc_f32_min($0, $1)")
        case .f32Max: NumericTemplate(text: "wc_f32_max($0, $1)")
        case .f64Min: NumericTemplate(text: "wc_f64_min($0, $1)")
        case .f64Max: NumericTemplate(text: "wc_f64_max($0, $1)")
        case .f32Copysign: NumericTemplate(text: "__builtin_copysignf($0, $1)")
        case .f64Copysign: NumericTemplate(text: "__builtin_copysign($0, $1)")
        default: nil
        }
    }
}
