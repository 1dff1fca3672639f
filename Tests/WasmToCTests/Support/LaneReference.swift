import WasmCore

/// What a test expects of one result lane: exact bits, or (float lanes
/// only) a NaN of the class the spec allows.
enum LaneExpectation: Equatable {
    case bits(UInt64)
    case canonicalNaN
    case arithmeticNaN

    func matches(_ actual: UInt64, width: Int) -> Bool {
        let (quiet, payload): (UInt64, UInt64) = width == 32
            ? (0x7FC0_0000, 0x7FFF_FFFF) : (0x7FF8_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF)
        switch self {
        case .bits(let bits): return actual == bits
        case .canonicalNaN: return actual & payload == quiet
        case .arithmeticNaN: return actual & quiet == quiet
        }
    }
}

/// An expected v128: lanes of `width` bits, lane 0 first.
struct VectorExpectation: CustomStringConvertible {
    var width: Int
    var lanes: [LaneExpectation]

    init(_ value: V128) {
        width = 64
        lanes = value.lanes(64).map { .bits($0) }
    }

    init(width: Int, lanes: [LaneExpectation]) {
        self.width = width
        self.lanes = lanes
    }

    func matches(_ actual: V128) -> Bool {
        zip(lanes, actual.lanes(width)).allSatisfy { $0.matches($1, width: width) }
    }

    var description: String {
        lanes.map {
            switch $0 {
            case .bits(let bits): "0x" + String(bits, radix: 16)
            case .canonicalNaN: "nan:canonical"
            case .arithmeticNaN: "nan:arithmetic"
            }
        }.joined(separator: " ")
    }
}

extension V128 {
    /// The lanes of `width` bits as unsigned values, lane 0 first.
    func lanes(_ width: Int) -> [UInt64] {
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        return (0..<(128 / width)).map { index in
            let bit = index * width
            return ((bit < 64 ? low : high) >> UInt64(bit % 64)) & mask
        }
    }

    init(lanes: [UInt64], width: Int) {
        var halves: [UInt64] = [0, 0]
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        for (index, lane) in lanes.enumerated() {
            let bit = index * width
            halves[bit / 64] |= (lane & mask) << UInt64(bit % 64)
        }
        self.init(low: halves[0], high: halves[1])
    }

    var hex: String {
        func pad(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return pad(high) + pad(low)
    }
}

/// Sign extension of a `width`-bit lane, and the signed range of a width.
func signed(_ lane: UInt64, _ width: Int) -> Int64 {
    width == 64 ? Int64(bitPattern: lane) : Int64(bitPattern: lane << UInt64(64 - width)) >> Int64(64 - width)
}
func signedRange(_ width: Int) -> ClosedRange<Int64> {
    width == 64 ? Int64.min...Int64.max : -(1 << Int64(width - 1))...((1 << Int64(width - 1)) - 1)
}
func unsignedMax(_ width: Int) -> UInt64 { width == 64 ? ~0 : (1 << UInt64(width)) - 1 }

/// The Wasm semantics of every SIMD operator without memory, written
/// lane by lane in plain Swift: the scalar reference the generated C is
/// compared against.
enum LaneReference {
    /// Lane width of the operator's result lanes and how they are compared.
    static func resultWidth(_ op: SIMDOperator) -> Int {
        let name = op.name
        if name.hasPrefix("i8x16") { return 8 }
        if name.hasPrefix("i16x8") { return 16 }
        if name.hasPrefix("i32x4") || name.hasPrefix("f32x4") { return 32 }
        return 64
    }

    // MARK: Floats

    static func isCanonical32(_ bits: UInt64) -> Bool { bits & 0x7FFF_FFFF == 0x7FC0_0000 }
    static func isCanonical64(_ bits: UInt64) -> Bool { bits & 0x7FFF_FFFF_FFFF_FFFF == 0x7FF8_0000_0000_0000 }
    static func f32(_ bits: UInt64) -> Float { Float(bitPattern: UInt32(truncatingIfNeeded: bits)) }
    static func f64(_ bits: UInt64) -> Double { Double(bitPattern: bits) }

    /// A float result lane: its bits, or the NaN class the spec's `nans`
    /// rule gives when the result is NaN (canonical unless a NaN input is not).
    static func float32(_ value: Float, inputs: [UInt64]) -> LaneExpectation {
        guard value.isNaN else { return .bits(UInt64(value.bitPattern)) }
        let nanInputs = inputs.filter { f32($0).isNaN }
        return nanInputs.allSatisfy(isCanonical32) ? .canonicalNaN : .arithmeticNaN
    }

    static func float64(_ value: Double, inputs: [UInt64]) -> LaneExpectation {
        guard value.isNaN else { return .bits(value.bitPattern) }
        let nanInputs = inputs.filter { f64($0).isNaN }
        return nanInputs.allSatisfy(isCanonical64) ? .canonicalNaN : .arithmeticNaN
    }

    static func wasmMin<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> F {
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && b == 0 { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }

    static func wasmMax<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> F {
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && b == 0 { return a.sign == .plus ? a : b }
        return a > b ? a : b
    }

    /// Saturating truncation of a float to an integer range.
    static func truncSat(_ value: Double, signed: Bool) -> UInt64 {
        if value.isNaN { return 0 }
        let low: Double = signed ? -2147483648 : 0
        let high: Double = signed ? 2147483647 : 4294967295
        let clamped = Swift.min(Swift.max(value.rounded(.towardZero), low), high)
        return UInt64(UInt32(truncatingIfNeeded: Int64(clamped)))
    }
}

extension LaneReference {
    /// Result of a unary v128 -> v128 operator.
    static func unary(_ op: SIMDOperator, _ a: V128) -> VectorExpectation? {
        let a8 = a.lanes(8), a16 = a.lanes(16), a32 = a.lanes(32), a64 = a.lanes(64)
        func ints(_ width: Int, _ lanes: [UInt64]) -> VectorExpectation {
            VectorExpectation(width: width, lanes: lanes.map { .bits($0 & unsignedMax(width)) })
        }
        func floats32(_ f: (Float) -> Float) -> VectorExpectation {
            VectorExpectation(width: 32, lanes: a32.map { float32(f(f32($0)), inputs: [$0]) })
        }
        func floats64(_ f: (Double) -> Double) -> VectorExpectation {
            VectorExpectation(width: 64, lanes: a64.map { float64(f(f64($0)), inputs: [$0]) })
        }
        func extend(_ from: Int, high: Bool, signed isSigned: Bool) -> VectorExpectation {
            let lanes = a.lanes(from)
            let half = high ? Array(lanes[(lanes.count / 2)...]) : Array(lanes[..<(lanes.count / 2)])
            return ints(from * 2, half.map { isSigned ? UInt64(bitPattern: signed($0, from)) : $0 })
        }
        func pairwise(_ from: Int, signed isSigned: Bool) -> VectorExpectation {
            let lanes = a.lanes(from).map { isSigned ? signed($0, from) : Int64($0) }
            return ints(from * 2, stride(from: 0, to: lanes.count, by: 2).map { UInt64(bitPattern: lanes[$0] + lanes[$0 + 1]) })
        }
        switch op {
        case .v128Not: return ints(64, a64.map { ~$0 })
        case .i8x16Abs: return ints(8, a8.map { UInt64(bitPattern: abs(signed($0, 8))) })
        case .i16x8Abs: return ints(16, a16.map { UInt64(bitPattern: abs(signed($0, 16))) })
        case .i32x4Abs: return ints(32, a32.map { UInt64(bitPattern: abs(signed($0, 32))) })
        case .i64x2Abs: return ints(64, a64.map { Int64(bitPattern: $0) < 0 ? 0 &- $0 : $0 })
        case .i8x16Neg: return ints(8, a8.map { 0 &- $0 })
        case .i16x8Neg: return ints(16, a16.map { 0 &- $0 })
        case .i32x4Neg: return ints(32, a32.map { 0 &- $0 })
        case .i64x2Neg: return ints(64, a64.map { 0 &- $0 })
        case .i8x16Popcnt: return ints(8, a8.map { UInt64($0.nonzeroBitCount) })
        case .i16x8ExtendLowI8x16S: return extend(8, high: false, signed: true)
        case .i16x8ExtendHighI8x16S: return extend(8, high: true, signed: true)
        case .i16x8ExtendLowI8x16U: return extend(8, high: false, signed: false)
        case .i16x8ExtendHighI8x16U: return extend(8, high: true, signed: false)
        case .i32x4ExtendLowI16x8S: return extend(16, high: false, signed: true)
        case .i32x4ExtendHighI16x8S: return extend(16, high: true, signed: true)
        case .i32x4ExtendLowI16x8U: return extend(16, high: false, signed: false)
        case .i32x4ExtendHighI16x8U: return extend(16, high: true, signed: false)
        case .i64x2ExtendLowI32x4S: return extend(32, high: false, signed: true)
        case .i64x2ExtendHighI32x4S: return extend(32, high: true, signed: true)
        case .i64x2ExtendLowI32x4U: return extend(32, high: false, signed: false)
        case .i64x2ExtendHighI32x4U: return extend(32, high: true, signed: false)
        case .i16x8ExtaddPairwiseI8x16S: return pairwise(8, signed: true)
        case .i16x8ExtaddPairwiseI8x16U: return pairwise(8, signed: false)
        case .i32x4ExtaddPairwiseI16x8S: return pairwise(16, signed: true)
        case .i32x4ExtaddPairwiseI16x8U: return pairwise(16, signed: false)

        case .f32x4Abs: return ints(32, a32.map { $0 & 0x7FFF_FFFF })
        case .f32x4Neg: return ints(32, a32.map { $0 ^ 0x8000_0000 })
        case .f64x2Abs: return ints(64, a64.map { $0 & 0x7FFF_FFFF_FFFF_FFFF })
        case .f64x2Neg: return ints(64, a64.map { $0 ^ 0x8000_0000_0000_0000 })
        case .f32x4Sqrt: return floats32 { $0.squareRoot() }
        case .f64x2Sqrt: return floats64 { $0.squareRoot() }
        case .f32x4Ceil: return floats32 { $0.rounded(.up) }
        case .f32x4Floor: return floats32 { $0.rounded(.down) }
        case .f32x4Trunc: return floats32 { $0.rounded(.towardZero) }
        case .f32x4Nearest: return floats32 { $0.rounded(.toNearestOrEven) }
        case .f64x2Ceil: return floats64 { $0.rounded(.up) }
        case .f64x2Floor: return floats64 { $0.rounded(.down) }
        case .f64x2Trunc: return floats64 { $0.rounded(.towardZero) }
        case .f64x2Nearest: return floats64 { $0.rounded(.toNearestOrEven) }

        case .f32x4ConvertI32x4S: return ints(32, a32.map { UInt64(Float(Int32(truncatingIfNeeded: signed($0, 32))).bitPattern) })
        case .f32x4ConvertI32x4U: return ints(32, a32.map { UInt64(Float(UInt32($0)).bitPattern) })
        case .f64x2ConvertLowI32x4S: return ints(64, a32[0..<2].map { Double(signed($0, 32)).bitPattern })
        case .f64x2ConvertLowI32x4U: return ints(64, a32[0..<2].map { Double($0).bitPattern })
        case .i32x4TruncSatF32x4S: return ints(32, a32.map { truncSat(Double(f32($0)), signed: true) })
        case .i32x4TruncSatF32x4U: return ints(32, a32.map { truncSat(Double(f32($0)), signed: false) })
        case .i32x4TruncSatF64x2SZero: return ints(32, a64.map { truncSat(f64($0), signed: true) } + [0, 0])
        case .i32x4TruncSatF64x2UZero: return ints(32, a64.map { truncSat(f64($0), signed: false) } + [0, 0])
        // The NaN class follows the input's own format.
        case .f32x4DemoteF64x2Zero:
            let lanes = a64.map { bits -> LaneExpectation in
                let value = Float(f64(bits))
                return value.isNaN ? (isCanonical64(bits) ? .canonicalNaN : .arithmeticNaN) : .bits(UInt64(value.bitPattern))
            }
            return VectorExpectation(width: 32, lanes: lanes + [.bits(0), .bits(0)])
        case .f64x2PromoteLowF32x4:
            return VectorExpectation(width: 64, lanes: a32[0..<2].map { bits -> LaneExpectation in
                let value = Double(f32(bits))
                return value.isNaN ? (isCanonical32(bits) ? .canonicalNaN : .arithmeticNaN) : .bits(value.bitPattern)
            })
        default: return nil
        }
    }
}

extension LaneReference {
    /// Result of a binary v128 v128 -> v128 operator.
    static func binary(_ op: SIMDOperator, _ a: V128, _ b: V128) -> VectorExpectation? {
        let width = resultWidth(op)
        func lanewise(_ width: Int, _ f: (UInt64, UInt64) -> UInt64) -> VectorExpectation {
            VectorExpectation(width: width, lanes: zip(a.lanes(width), b.lanes(width)).map { .bits(f($0, $1) & unsignedMax(width)) })
        }
        func signedLanes(_ f: (Int64, Int64) -> Int64) -> VectorExpectation {
            lanewise(width) { UInt64(bitPattern: f(signed($0, width), signed($1, width))) }
        }
        func mask(_ f: (UInt64, UInt64) -> Bool) -> VectorExpectation {
            lanewise(width) { f($0, $1) ? ~0 : 0 }
        }
        func signedMask(_ f: (Int64, Int64) -> Bool) -> VectorExpectation {
            mask { f(signed($0, width), signed($1, width)) }
        }
        func floatMask32(_ f: (Float, Float) -> Bool) -> VectorExpectation { mask { f(f32($0), f32($1)) } }
        func floatMask64(_ f: (Double, Double) -> Bool) -> VectorExpectation { mask { f(f64($0), f64($1)) } }
        func floats32(_ f: (Float, Float) -> Float) -> VectorExpectation {
            VectorExpectation(width: 32, lanes: zip(a.lanes(32), b.lanes(32)).map { float32(f(f32($0), f32($1)), inputs: [$0, $1]) })
        }
        func floats64(_ f: (Double, Double) -> Double) -> VectorExpectation {
            VectorExpectation(width: 64, lanes: zip(a.lanes(64), b.lanes(64)).map { float64(f(f64($0), f64($1)), inputs: [$0, $1]) })
        }
        func saturate(_ value: Int64, signed isSigned: Bool, _ width: Int) -> UInt64 {
            let range = isSigned ? signedRange(width) : 0...Int64(unsignedMax(width))
            return UInt64(bitPattern: Swift.min(Swift.max(value, range.lowerBound), range.upperBound))
        }
        func narrow(_ from: Int, signed isSigned: Bool) -> VectorExpectation {
            let lanes = (a.lanes(from) + b.lanes(from)).map { saturate(signed($0, from), signed: isSigned, from / 2) }
            return VectorExpectation(width: from / 2, lanes: lanes.map { .bits($0 & unsignedMax(from / 2)) })
        }
        func extmul(_ from: Int, high: Bool, signed isSigned: Bool) -> VectorExpectation {
            let count = 128 / from / 2
            let range = high ? count..<(2 * count) : 0..<count
            let x = a.lanes(from)[range].map { isSigned ? signed($0, from) : Int64(bitPattern: $0) }
            let y = b.lanes(from)[range].map { isSigned ? signed($0, from) : Int64(bitPattern: $0) }
            let products = zip(x, y).map { UInt64(bitPattern: $0 &* $1) & unsignedMax(from * 2) }
            return VectorExpectation(width: from * 2, lanes: products.map { .bits($0) })
        }

        switch op {
        case .i8x16Swizzle:
            let bytes = a.lanes(8)
            return VectorExpectation(width: 8, lanes: b.lanes(8).map { .bits($0 < 16 ? bytes[Int($0)] : 0) })
        case .v128And: return lanewise(64) { $0 & $1 }
        case .v128Andnot: return lanewise(64) { $0 & ~$1 }
        case .v128Or: return lanewise(64) { $0 | $1 }
        case .v128Xor: return lanewise(64) { $0 ^ $1 }

        case .i8x16Eq, .i16x8Eq, .i32x4Eq, .i64x2Eq: return mask { $0 == $1 }
        case .i8x16Ne, .i16x8Ne, .i32x4Ne, .i64x2Ne: return mask { $0 != $1 }
        case .i8x16LtS, .i16x8LtS, .i32x4LtS, .i64x2LtS: return signedMask { $0 < $1 }
        case .i8x16GtS, .i16x8GtS, .i32x4GtS, .i64x2GtS: return signedMask { $0 > $1 }
        case .i8x16LeS, .i16x8LeS, .i32x4LeS, .i64x2LeS: return signedMask { $0 <= $1 }
        case .i8x16GeS, .i16x8GeS, .i32x4GeS, .i64x2GeS: return signedMask { $0 >= $1 }
        case .i8x16LtU, .i16x8LtU, .i32x4LtU: return mask { $0 < $1 }
        case .i8x16GtU, .i16x8GtU, .i32x4GtU: return mask { $0 > $1 }
        case .i8x16LeU, .i16x8LeU, .i32x4LeU: return mask { $0 <= $1 }
        case .i8x16GeU, .i16x8GeU, .i32x4GeU: return mask { $0 >= $1 }

        case .i8x16Add, .i16x8Add, .i32x4Add, .i64x2Add: return lanewise(width) { $0 &+ $1 }
        case .i8x16Sub, .i16x8Sub, .i32x4Sub, .i64x2Sub: return lanewise(width) { $0 &- $1 }
        case .i16x8Mul, .i32x4Mul, .i64x2Mul: return lanewise(width) { $0 &* $1 }
        case .i8x16AddSatS, .i16x8AddSatS:
            return lanewise(width) { saturate(signed($0, width) + signed($1, width), signed: true, width) }
        case .i8x16SubSatS, .i16x8SubSatS:
            return lanewise(width) { saturate(signed($0, width) - signed($1, width), signed: true, width) }
        case .i8x16AddSatU, .i16x8AddSatU: return lanewise(width) { Swift.min($0 + $1, unsignedMax(width)) }
        case .i8x16SubSatU, .i16x8SubSatU: return lanewise(width) { $0 > $1 ? $0 - $1 : 0 }
        case .i8x16MinS, .i16x8MinS, .i32x4MinS: return signedLanes { Swift.min($0, $1) }
        case .i8x16MaxS, .i16x8MaxS, .i32x4MaxS: return signedLanes { Swift.max($0, $1) }
        case .i8x16MinU, .i16x8MinU, .i32x4MinU: return lanewise(width) { Swift.min($0, $1) }
        case .i8x16MaxU, .i16x8MaxU, .i32x4MaxU: return lanewise(width) { Swift.max($0, $1) }
        case .i8x16AvgrU, .i16x8AvgrU: return lanewise(width) { ($0 + $1 + 1) / 2 }
        case .i16x8Q15mulrSatS:
            return lanewise(16) { saturate((signed($0, 16) * signed($1, 16) + 0x4000) >> 15, signed: true, 16) }
        case .i32x4DotI16x8S:
            let x = a.lanes(16).map { signed($0, 16) }, y = b.lanes(16).map { signed($0, 16) }
            let sums = (0..<4).map { UInt64(bitPattern: x[2 * $0] * y[2 * $0] + x[2 * $0 + 1] * y[2 * $0 + 1]) }
            return VectorExpectation(width: 32, lanes: sums.map { .bits($0 & 0xFFFF_FFFF) })
        case .i8x16NarrowI16x8S: return narrow(16, signed: true)
        case .i8x16NarrowI16x8U: return narrow(16, signed: false)
        case .i16x8NarrowI32x4S: return narrow(32, signed: true)
        case .i16x8NarrowI32x4U: return narrow(32, signed: false)
        case .i16x8ExtmulLowI8x16S: return extmul(8, high: false, signed: true)
        case .i16x8ExtmulHighI8x16S: return extmul(8, high: true, signed: true)
        case .i16x8ExtmulLowI8x16U: return extmul(8, high: false, signed: false)
        case .i16x8ExtmulHighI8x16U: return extmul(8, high: true, signed: false)
        case .i32x4ExtmulLowI16x8S: return extmul(16, high: false, signed: true)
        case .i32x4ExtmulHighI16x8S: return extmul(16, high: true, signed: true)
        case .i32x4ExtmulLowI16x8U: return extmul(16, high: false, signed: false)
        case .i32x4ExtmulHighI16x8U: return extmul(16, high: true, signed: false)
        case .i64x2ExtmulLowI32x4S: return extmul(32, high: false, signed: true)
        case .i64x2ExtmulHighI32x4S: return extmul(32, high: true, signed: true)
        case .i64x2ExtmulLowI32x4U: return extmul(32, high: false, signed: false)
        case .i64x2ExtmulHighI32x4U: return extmul(32, high: true, signed: false)

        case .f32x4Eq: return floatMask32 { $0 == $1 }
        case .f32x4Ne: return floatMask32 { $0 != $1 }
        case .f32x4Lt: return floatMask32 { $0 < $1 }
        case .f32x4Gt: return floatMask32 { $0 > $1 }
        case .f32x4Le: return floatMask32 { $0 <= $1 }
        case .f32x4Ge: return floatMask32 { $0 >= $1 }
        case .f64x2Eq: return floatMask64 { $0 == $1 }
        case .f64x2Ne: return floatMask64 { $0 != $1 }
        case .f64x2Lt: return floatMask64 { $0 < $1 }
        case .f64x2Gt: return floatMask64 { $0 > $1 }
        case .f64x2Le: return floatMask64 { $0 <= $1 }
        case .f64x2Ge: return floatMask64 { $0 >= $1 }
        case .f32x4Add: return floats32 { $0 + $1 }
        case .f32x4Sub: return floats32 { $0 - $1 }
        case .f32x4Mul: return floats32 { $0 * $1 }
        case .f32x4Div: return floats32 { $0 / $1 }
        case .f64x2Add: return floats64 { $0 + $1 }
        case .f64x2Sub: return floats64 { $0 - $1 }
        case .f64x2Mul: return floats64 { $0 * $1 }
        case .f64x2Div: return floats64 { $0 / $1 }
        case .f32x4Min: return floats32(wasmMin)
        case .f32x4Max: return floats32(wasmMax)
        case .f64x2Min: return floats64(wasmMin)
        case .f64x2Max: return floats64(wasmMax)
        // pmin/pmax pick one operand, bits and all.
        case .f32x4Pmin: return lanewise(32) { f32($1) < f32($0) ? $1 : $0 }
        case .f32x4Pmax: return lanewise(32) { f32($0) < f32($1) ? $1 : $0 }
        case .f64x2Pmin: return lanewise(64) { f64($1) < f64($0) ? $1 : $0 }
        case .f64x2Pmax: return lanewise(64) { f64($0) < f64($1) ? $1 : $0 }
        default: return nil
        }
    }

    /// v128.bitselect.
    static func bitselect(_ a: V128, _ b: V128, _ c: V128) -> VectorExpectation {
        VectorExpectation(V128(low: (a.low & c.low) | (b.low & ~c.low), high: (a.high & c.high) | (b.high & ~c.high)))
    }

    /// Shifts by an i32 count, taken modulo the lane width.
    static func shift(_ op: SIMDOperator, _ a: V128, _ count: UInt32) -> VectorExpectation? {
        let width = resultWidth(op)
        let n = UInt64(count) % UInt64(width)
        let lanes: [UInt64]
        switch op {
        case .i8x16Shl, .i16x8Shl, .i32x4Shl, .i64x2Shl: lanes = a.lanes(width).map { $0 << n }
        case .i8x16ShrU, .i16x8ShrU, .i32x4ShrU, .i64x2ShrU: lanes = a.lanes(width).map { $0 >> n }
        case .i8x16ShrS, .i16x8ShrS, .i32x4ShrS, .i64x2ShrS:
            lanes = a.lanes(width).map { UInt64(bitPattern: signed($0, width) >> Int64(n)) }
        default: return nil
        }
        return VectorExpectation(width: width, lanes: lanes.map { .bits($0 & unsignedMax(width)) })
    }

    /// any_true, all_true and bitmask: an i32.
    static func test(_ op: SIMDOperator, _ a: V128) -> UInt32? {
        let width = resultWidth(op)
        let lanes = a.lanes(width)
        switch op {
        case .v128AnyTrue: return a.low | a.high != 0 ? 1 : 0
        case .i8x16AllTrue, .i16x8AllTrue, .i32x4AllTrue, .i64x2AllTrue: return lanes.allSatisfy { $0 != 0 } ? 1 : 0
        case .i8x16Bitmask, .i16x8Bitmask, .i32x4Bitmask, .i64x2Bitmask:
            var mask: UInt32 = 0
            for (index, lane) in lanes.enumerated() where lane >> UInt64(width - 1) != 0 { mask |= 1 << UInt32(index) }
            return mask
        default: return nil
        }
    }

    /// A splat of a scalar's bits (i32 for the three narrow shapes).
    static func splat(_ op: SIMDOperator, _ scalar: UInt64) -> VectorExpectation {
        let width = resultWidth(op)
        return VectorExpectation(width: width, lanes: Array(repeating: .bits(scalar & unsignedMax(width)), count: 128 / width))
    }

    /// extract_lane: the lane's bits as the scalar result (sign- or
    /// zero-extended to 32 bits for the narrow shapes).
    static func extract(_ op: SIMDOperator, _ a: V128, lane: Int) -> UInt64 {
        let width = resultWidth(op)
        let value = a.lanes(width)[lane]
        switch op {
        case .i8x16ExtractLaneS, .i16x8ExtractLaneS: return UInt64(UInt32(truncatingIfNeeded: signed(value, width)))
        default: return value
        }
    }

    static func replace(_ op: SIMDOperator, _ a: V128, lane: Int, _ scalar: UInt64) -> VectorExpectation {
        let width = resultWidth(op)
        var lanes = a.lanes(width)
        lanes[lane] = scalar & unsignedMax(width)
        return VectorExpectation(width: width, lanes: lanes.map { .bits($0) })
    }

    static func shuffle(_ a: V128, _ b: V128, _ indices: [UInt8]) -> VectorExpectation {
        let bytes = a.lanes(8) + b.lanes(8)
        return VectorExpectation(width: 8, lanes: indices.map { .bits(bytes[Int($0)]) })
    }
}
