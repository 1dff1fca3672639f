import WasmCore

extension NumericOperator {
    /// Conversions between value types. Trapping truncations check NaN and
    /// range before the C cast (an out-of-range cast is UB in C);
    /// int-to-float casts round correctly in clang.
    var conversionTemplate: NumericTemplate? {
        switch self {
        case .i32WrapI64: NumericTemplate(text: "((uint32_t)$0)")
        case .i64ExtendI32S: NumericTemplate(text: "((uint64_t)(int64_t)(int32_t)$0)")
        case .i64ExtendI32U: NumericTemplate(text: "((uint64_t)$0)")
        case .i32TruncF32S: NumericTemplate(text: "wc_i32_trunc_f32_s($0)", pure: false)
        case .i32TruncF32U: NumericTemplate(text: "wc_i32_trunc_f32_u($0)", pure: false)
        case .i32TruncF64S: NumericTemplate(text: "wc_i32_trunc_f64_s($0)", pure: false)
        case .i32TruncF64U: NumericTemplate(text: "wc_i32_trunc_f64_u($0)", pure: false)
        case .i64TruncF32S: NumericTemplate(text: "wc_i64_trunc_f32_s($0)", pure: false)
        case .i64TruncF32U: NumericTemplate(text: "wc_i64_trunc_f32_u($0)", pure: false)
        case .i64TruncF64S: NumericTemplate(text: "wc_i64_trunc_f64_s($0)", pure: false)
        case .i64TruncF64U: NumericTemplate(text: "wc_i64_trunc_f64_u($0)", pure: false)
        case .i32TruncSatF32S: NumericTemplate(text: "wc_i32_trunc_sat_f32_s($0)")
        case .i32TruncSatF32U: NumericTemplate(text: "wc_i32_trunc_sat_f32_u($0)")
        case .i32TruncSatF64S: NumericTemplate(text: "wc_i32_trunc_sat_f64_s($0)")
        case .i32TruncSatF64U: NumericTemplate(text: "wc_i32_trunc_sat_f64_u($0)")
        case .i64TruncSatF32S: NumericTemplate(text: "wc_i64_trunc_sat_f32_s($0)")
        case .i64TruncSatF32U: NumericTemplate(text: "wc_i64_trunc_sat_f32_u($0)")
        case .i64TruncSatF64S: NumericTemplate(text: "wc_i64_trunc_sat_f64_s($0)")
        case .i64TruncSatF64U: NumericTemplate(text: "wc_i64_trunc_sat_f64_u($0)")
        case .f32ConvertI32S: NumericTemplate(text: "((float)(int32_t)$0)")
        case .f32ConvertI32U, .f32ConvertI64U: NumericTemplate(text: "((float)$0)")
        // clang folds demote(promote(x)) to x, keeping a signalling NaN that
        // Wasm quiets: the barrier keeps the round trip.
        case .f32DemoteF64: NumericTemplate(text: "((float)wc_f64_opaque($0))")
        case .f32ConvertI64S: NumericTemplate(text: "((float)(int64_t)$0)")
        case .f64ConvertI32S: NumericTemplate(text: "((double)(int32_t)$0)")
        case .f64ConvertI32U, .f64ConvertI64U, .f64PromoteF32: NumericTemplate(text: "((double)$0)")
        case .f64ConvertI64S: NumericTemplate(text: "((double)(int64_t)$0)")
        case .i32ReinterpretF32: NumericTemplate(text: "wc_f32_bits($0)")
        case .i64ReinterpretF64: NumericTemplate(text: "wc_f64_bits($0)")
        case .f32ReinterpretI32: NumericTemplate(text: "wc_f32_from_bits($0)")
        case .f64ReinterpretI64: NumericTemplate(text: "wc_f64_from_bits($0)")
        default: nil
        }
    }
}
