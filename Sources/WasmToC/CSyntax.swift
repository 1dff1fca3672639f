import WasmCore

/// Spelling of Wasm values, types and names in the generated C.
enum CSyntax {
    /// The C type of a Wasm value. References are the prelude's
    /// `wc_funcref`; an externref is opaque to the module, so it shares
    /// that representation (signature id 0, the host's pointer in `fn`,
    /// NULL for null) and the same tables and helpers serve both.
    static func type(_ type: ValueType) -> String {
        switch type {
        case .i32: "uint32_t"
        case .i64: "uint64_t"
        case .f32: "float"
        case .f64: "double"
        case .funcref, .externref: "wc_funcref"
        case .v128: "wc_v128"  // CPrelude+SIMD.swift
        }
    }

    /// One letter per type, for slot variables and result struct names.
    static func letter(_ type: ValueType) -> String {
        switch type {
        case .i32: "i"
        case .i64: "j"
        case .f32: "f"
        case .f64: "d"
        case .funcref: "r"
        case .v128: "v"
        case .externref: "x"
        }
    }

    /// The zero value of a type (locals' initialiser).
    static func zero(_ type: ValueType) -> String {
        switch type {
        case .i32: "0"
        case .i64: "0"
        case .f32: "0.0f"
        case .f64: "0.0"
        default: "{0, 0}"
        }
    }

    /// The struct returned by functions with several results.
    static func resultStruct(_ results: [ValueType]) -> String {
        "wc_ret_" + results.map(letter).joined()
    }

    /// The C return type of a function with these results.
    static func returnType(_ results: [ValueType]) -> String {
        switch results.count {
        case 0: "void"
        case 1: type(results[0])
        default: resultStruct(results)
        }
    }

    // MARK: Literals

    static func i32(_ value: UInt32) -> String {
        value < 4096 ? "\(value)u" : "0x" + String(value, radix: 16) + "u"
    }

    static func i64(_ value: UInt64) -> String {
        value < 4096 ? "\(value)ull" : "0x" + String(value, radix: 16) + "ull"
    }

    /// An exact f32 literal: a hexadecimal float, or the bit pattern for NaN
    /// (payload and sign kept). `isConstant` is false for the bit form,
    /// which static initialisers cannot use.
    static func f32(bits: UInt32) -> (text: String, isConstant: Bool) {
        let negative = bits >> 31 != 0
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = UInt64(bits & 0x7F_FFFF)
        if exponent == 0xFF {
            if mantissa != 0 { return ("wc_f32_from_bits(\(i32(bits)))", false) }
            return (negative ? "(-__builtin_inff())" : "__builtin_inff()", true)
        }
        let text = hexFloat(negative: negative, exponent: exponent, mantissa: mantissa << 1,
                            digits: 6, bias: 127)
        return (text.hasPrefix("-") ? "(\(text)f)" : text + "f", true)
    }

    /// An exact f64 literal; see `f32(bits:)`.
    static func f64(bits: UInt64) -> (text: String, isConstant: Bool) {
        let negative = bits >> 63 != 0
        let exponent = Int((bits >> 52) & 0x7FF)
        let mantissa = bits & 0xF_FFFF_FFFF_FFFF
        if exponent == 0x7FF {
            if mantissa != 0 { return ("wc_f64_from_bits(\(i64(bits)))", false) }
            return (negative ? "(-__builtin_inf())" : "__builtin_inf()", true)
        }
        let text = hexFloat(negative: negative, exponent: exponent, mantissa: mantissa,
                            digits: 13, bias: 1023)
        return (text.hasPrefix("-") ? "(\(text))" : text, true)
    }

    /// `[-]0x1.HHHp±E` for normal numbers, `[-]0x0.HHHp-(bias-1)` for
    /// subnormals and zero; `mantissa` holds `digits` hex digits.
    private static func hexFloat(negative: Bool, exponent: Int, mantissa: UInt64, digits: Int,
                                 bias: Int) -> String {
        var fraction = String(mantissa, radix: 16)
        fraction = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let lead = exponent == 0 ? "0" : "1"
        let power = exponent == 0 ? 1 - bias : exponent - bias
        let sign = negative ? "-" : ""
        let dot = fraction.isEmpty ? "" : "." + fraction
        return "\(sign)0x\(lead)\(dot)p\(power >= 0 ? "+" : "")\(power)"
    }

    /// Bytes as C string literal lines (`"..."`, one chunk per line), the
    /// cheapest array initialiser for clang. Escapes keep trigraphs and
    /// octal runs from changing the bytes.
    static func stringLiteralLines(_ bytes: [UInt8], bytesPerLine: Int = 96) -> [String] {
        var lines: [String] = []
        var line = "\""
        var count = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): line += "\\\""
            case UInt8(ascii: "\\"): line += "\\\\"
            case UInt8(ascii: "?"): line += "\\?"
            case 0x20...0x7E: line.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let octal = String(byte, radix: 8)
                line += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
            count += 1
            if count == bytesPerLine {
                lines.append(line + "\"")
                line = "\""
                count = 0
            }
        }
        if count > 0 || lines.isEmpty { lines.append(line + "\"") }
        return lines
    }

    /// An export name as a C identifier suffix: letters and digits kept,
    /// `_` doubled, any other byte as `_xHH` (injective, so names never clash).
    static func mangle(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "_"): out += "__"
            default:
                let hex = String(byte, radix: 16)
                out += "_x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
