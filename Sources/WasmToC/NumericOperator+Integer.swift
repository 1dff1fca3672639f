import WasmCore

extension NumericOperator {
    /// Comparisons, arithmetic and bit operations on i32 and i64: unsigned
    /// C arithmetic wraps, shift counts are masked, signedness by casts.
    var integerTemplate: NumericTemplate? {
        switch self {
        case .i32Eqz, .i64Eqz: NumericTemplate(text: "((uint32_t)($0 == 0))")
        case .i32Eq, .i64Eq: NumericTemplate(text: "((uint32_t)($0 == $1))")
        case .i32Ne, .i64Ne: NumericTemplate(text: "((uint32_t)($0 != $1))")
        case .i32LtS: NumericTemplate(text: "((uint32_t)((int32_t)$0 < (int32_t)$1))")
        case .i32LtU, .i64LtU: NumericTemplate(text: "((uint32_t)($0 < $1))")
        case .i32GtS: NumericTemplate(text: "((uint32_t)((int32_t)$0 > (int32_t)$1))")
        case .i32GtU, .i64GtU: NumericTemplate(text: "((uint32_t)($0 > $1))")
        case .i32LeS: NumericTemplate(text: "((uint32_t)((int32_t)$0 <= (int32_t)$1))")
        case .i32LeU, .i64LeU: NumericTemplate(text: "((uint32_t)($0 <= $1))")
        case .i32GeS: NumericTemplate(text: "((uint32_t)((int32_t)$0 >= (int32_t)$1))")
        case .i32GeU, .i64GeU: NumericTemplate(text: "((uint32_t)($0 >= $1))")
        case .i64LtS: NumericTemplate(text: "((uint32_t)((int64_t)$0 < (int64_t)$1))")
        case .i64GtS: NumericTemplate(text: "((uint32_t)((int64_t)$0 > (int64_t)$1))")
        case .i64LeS: NumericTemplate(text: "((uint32_t)((int64_t)$0 <= (int64_t)$1))")
        case .i64GeS: NumericTemplate(text: "((uint32_t)((int64_t)$0 >= (int64_t)$1))")

        case .i32Clz: NumericTemplate(text: "wc_i32_clz($0)")
        case .i32Ctz: NumericTemplate(text: "wc_i32_ctz($0)")
        case .i32Popcnt: NumericTemplate(text: "wc_i32_popcnt($0)")
        case .i64Clz: NumericTemplate(text: "wc_i64_clz($0)")
        case .i64Ctz: NumericTemplate(text: "wc_i64_ctz($0)")
        case .i64Popcnt: NumericTemplate(text: "wc_i64_popcnt($0)")
        case .i32Add, .i64Add: NumericTemplate(text: "($0 + $1)")
        case .i32Sub, .i64Sub: NumericTemplate(text: "($0 - $1)")
        case .i32Mul, .i64Mul: NumericTemplate(text: "($0 * $1)")
        case .i32DivS: NumericTemplate(text: "wc_i32_div_s($0, $1)", pure: false)
        case .i32DivU: NumericTemplate(text: "wc_i32_div_u($0, $1)", pure: false)
        case .i32RemS: NumericTemplate(text: "wc_i32_rem_s($0, $1)", pure: false)
        case .i32RemU: NumericTemplate(text: "wc_i32_rem_u($0, $1)", pure: false)
        case .i64DivS: NumericTemplate(text: "wc_i64_div_s($0, $1)", pure: false)
        case .i64DivU: NumericTemplate(text: "wc_i64_div_u($0, $1)", pure: false)
        case .i64RemS: NumericTemplate(text: "wc_i64_rem_s($0, $1)", pure: false)
        case .i64RemU: NumericTemplate(text: "wc_i64_rem_u($0, $1)", pure: false)
        case .i32And, .i64And: NumericTemplate(text: "($0 & $1)")
        case .i32Or, .i64Or: NumericTemplate(text: "($0 | $1)")
        case .i32Xor, .i64Xor: NumericTemplate(text: "($0 ^ $1)")
        case .i32Shl: NumericTemplate(text: "($0 << ($1 & 31))")
        case .i32ShrS: NumericTemplate(text: "((uint32_t)((int32_t)$0 >> ($1 & 31)))")
        case .i32ShrU: NumericTemplate(text: "($0 >> ($1 & 31))")
        case .i32Rotl: NumericTemplate(text: "__builtin_rotateleft32($0, $1)")
        case .i32Rotr: NumericTemplate(text: "__builtin_rotateright32($0, $1)")
        case .i64Shl: NumericTemplate(text: "($0 << ($1 & 63))")
        case .i64ShrS: NumericTemplate(text: "((uint64_t)((int64_t)$0 >> ($1 & 63)))")
        case .i64ShrU: NumericTemplate(text: "($0 >> ($1 & 63))")
        case .i64Rotl: NumericTemplate(text: "__builtin_rotateleft64($0, $1)")
        case .i64Rotr: NumericTemplate(text: "__builtin_rotateright64($0, $1)")

        case .i32Extend8S: NumericTemplate(text: "((uint32_t)(int32_t)(int8_t)$0)")
        case .i32Extend16S: NumericTemplate(text: "((uint32_t)(int32_t)(int16_t)$0)")
        case .i64Extend8S: NumericTemplate(text: "((uint64_t)(int64_t)(int8_t)$0)")
        case .i64Extend16S: NumericTemplate(text: "((uint64_t)(int64_t)(int16_t)$0)")
        case .i64Extend32S: NumericTemplate(text: "((uint64_t)(int64_t)(int32_t)$0)")
        default: nil
        }
    }
}
