import WasmCore

/// Edge-value inputs for the SIMD tests: a splat of every edge lane (so
/// binary operators meet every pair of edge values) and vectors mixing
/// them (so lanes are not all alike), plus a few pseudo-random ones.
enum SIMDInputs {
    static let lanes8: [UInt64] = [0, 1, 2, 0x0F, 0x55, 0x7F, 0x80, 0x81, 0xFE, 0xFF]
    static let lanes16: [UInt64] = [0, 1, 0x00FF, 0x0100, 0x4000, 0x7FFF, 0x8000, 0x8001, 0xC000, 0xFF00, 0xFFFF]
    static let lanes32: [UInt64] = [0, 1, 0x0000_FFFF, 0x0001_0000, 0x1234_5678, 0x7FFF_FFFF, 0x8000_0000,
                                    0x8000_0001, 0xFFFF_0000, 0xFFFF_FFFF]
    static let lanes64: [UInt64] = [0, 1, 0x0000_0000_FFFF_FFFF, 0x0000_0001_0000_0000, 0x7FFF_FFFF_FFFF_FFFF,
                                    0x8000_0000_0000_0000, 0x8000_0000_0000_0001, 0xFFFF_FFFF_0000_0000,
                                    0xFFFF_FFFF_FFFF_FFFF]

    /// f32 lanes: zeros, ones, halves and ties, infinities, NaNs (canonical
    /// of both signs, with payload, signalling), subnormals, the largest
    /// float, and the i32/u32 conversion boundaries.
    static let f32Lanes: [UInt64] = [
        0x0000_0000, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x3F00_0000, 0xBF00_0000, 0x3FC0_0000,
        0x4020_0000, 0xC020_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7FC0_0001,
        0x7F80_0001, 0xFFA0_0000, 0x0000_0001, 0x8080_0000, 0x7F7F_FFFF, 0x4F00_0000, 0xCF00_0000,
        0x4F80_0000, 0x4F7F_FFFF, 0x4EFF_FFFF, 0xCF00_0001, 0x4B00_0001, 0x3F7F_FFFF, 0xBEFF_FFFF,
    ]
    /// f64 lanes, likewise, with the f32 range and demotion ties.
    static let f64Lanes: [UInt64] = [
        0x0000_0000_0000_0000, 0x8000_0000_0000_0000, 0x3FF0_0000_0000_0000, 0xBFF0_0000_0000_0000,
        0x3FE0_0000_0000_0000, 0xBFE0_0000_0000_0000, 0x3FF8_0000_0000_0000, 0x4004_0000_0000_0000,
        0xC004_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000,
        0xFFF8_0000_0000_0000, 0x7FF8_0000_0000_0001, 0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_0000,
        0x0000_0000_0000_0001, 0x7FEF_FFFF_FFFF_FFFF, 0x41E0_0000_0000_0000, 0xC1E0_0000_0020_0000,
        0x41DF_FFFF_FFE0_0000, 0x41DF_FFFF_FFF0_0000, 0x41EF_FFFF_FFE0_0000, 0x41EF_FFFF_FFF0_0000,
        0x41F0_0000_0000_0000, 0x47EF_FFFF_E000_0000, 0x47EF_FFFF_F000_0000, 0x3FF0_0000_1000_0000,
        0x3FF0_0000_3000_0000, 0x3690_0000_0000_0000,
    ]

    /// Shift counts around every lane width, and beyond.
    static let shiftCounts: [UInt64] = [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 0x8000_0000, 0xFFFF_FFFF]

    /// Swizzle indices: in range, just out of it, and with the top bit set.
    static let swizzleIndices: [V128] = [
        V128(lanes: [0, 15, 16, 17, 31, 32, 127, 128, 255, 1, 2, 3, 0x70, 0x8F, 0x0F, 0xF0], width: 8),
        V128(lanes: (0..<16).map { 15 - $0 }, width: 8),
        V128(lanes: Array(repeating: 5, count: 16), width: 8),
    ]

    static func splat(_ lane: UInt64, _ width: Int) -> V128 {
        V128(lanes: Array(repeating: lane, count: 128 / width), width: width)
    }

    /// Vectors whose lanes cycle through `lanes`, starting at each offset.
    static func mixed(_ lanes: [UInt64], _ width: Int, count: Int) -> [V128] {
        let perVector = 128 / width
        return (0..<count).map { start in
            V128(lanes: (0..<perVector).map { lanes[(start * perVector + $0 * 3) % lanes.count] }, width: width)
        }
    }

    static func random(_ count: Int, seed: UInt64) -> [V128] {
        var state = seed
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        return (0..<count).map { _ in V128(low: next(), high: next()) }
    }

    /// Inputs of a shape: "i8", "i16", "i32", "i64", "f32" or "f64".
    static func vectors(_ shape: String) -> [V128] {
        switch shape {
        case "v128": return vectors("i32") + mixed(f32Lanes, 32, count: 4)
        case "f32": return f32Lanes.map { splat($0, 32) } + mixed(f32Lanes, 32, count: 7)
        case "f64": return f64Lanes.map { splat($0, 64) } + mixed(f64Lanes, 64, count: 8)
        default:
            let width = Int(shape.dropFirst()) ?? 8
            let lanes = [8: lanes8, 16: lanes16, 32: lanes32][width] ?? lanes64
            return lanes.map { splat($0, width) } + mixed(lanes, width, count: 3) + random(4, seed: UInt64(width) * 0x9E37_79B9)
        }
    }

    /// The shape of an operator's v128 operands: the one its name gives
    /// after `_` (i16x8.narrow_i32x4_s reads i32 lanes), else its own.
    static func operandShape(_ op: SIMDOperator) -> String {
        let name = op.name
        for shape in ["i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"] where name.contains("_" + shape) {
            return String(shape.prefix(while: { $0 != "x" }))
        }
        return String(name.prefix(while: { $0 != "x" && $0 != "." }))
    }
}
