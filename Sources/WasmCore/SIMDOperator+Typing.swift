/// Operand and result types of the SIMD operators, and the limits of
/// their immediates (lane indices, access widths).
extension SIMDOperator {
    /// Lanes of the vector shape a lane immediate indexes (extract_lane,
    /// replace_lane, load*_lane, store*_lane); nil for other operators.
    public var laneCount: Int? {
        switch rawValue {
        case 0x15...0x17, 0x54, 0x58: 16
        case 0x18...0x1A, 0x55, 0x59: 8
        case 0x1B, 0x1C, 0x1F, 0x20, 0x56, 0x5A: 4
        case 0x1D, 0x1E, 0x21, 0x22, 0x57, 0x5B: 2
        default: nil
        }
    }

    /// Bytes a load or store touches in memory: its natural alignment.
    /// nil for operators that do not access memory.
    public var accessWidth: Int? {
        switch rawValue {
        case 0x00, 0x0B: 16
        case 0x01...0x06, 0x0A, 0x5D, 0x57, 0x5B: 8
        case 0x09, 0x5C, 0x56, 0x5A: 4
        case 0x08, 0x55, 0x59: 2
        case 0x07, 0x54, 0x58: 1
        default: nil
        }
    }

    /// Operand types (top of stack last) and the result type, if any.
    public var signature: SIMDSignature {
        switch rawValue {
        case 0x00...0x0A, 0x5C, 0x5D: .load
        case 0x0B, 0x58...0x5B: .store
        case 0x0C: .constant
        case 0x0F...0x11: .splatI32
        case 0x12: .splatI64
        case 0x13: .splatF32
        case 0x14: .splatF64
        case 0x15, 0x16, 0x18, 0x19, 0x1B: .extractI32
        case 0x17, 0x1A, 0x1C: .replaceI32
        case 0x1D: .extractI64
        case 0x1E: .replaceI64
        case 0x1F: .extractF32
        case 0x20: .replaceF32
        case 0x21: .extractF64
        case 0x22: .replaceF64
        case 0x52: .ternary
        case 0x54...0x57: .loadLane
        case 0x53, 0x63, 0x64, 0x83, 0x84, 0xA3, 0xA4, 0xC3, 0xC4: .test
        case 0x6B...0x6D, 0x8B...0x8D, 0xAB...0xAD, 0xCB...0xCD: .shift
        case 0x4D, 0x5E...0x62, 0x67...0x6A, 0x74, 0x75, 0x7A, 0x7C...0x81, 0x87...0x8A, 0x94,
             0xA0, 0xA1, 0xA7...0xAA, 0xC0, 0xC1, 0xC7...0xCA, 0xE0, 0xE1, 0xE3, 0xEC, 0xED, 0xEF, 0xF8...0xFF:
            .unary
        default: .binary  // shuffle, swizzle, comparisons, bitwise and lane arithmetic
        }
    }
}

/// The typing of a SIMD operator. The shared values below keep the
/// validator from allocating per instruction.
public struct SIMDSignature: Hashable, Sendable {
    public let operands: [ValueType]
    public let result: ValueType?

    init(_ operands: [ValueType], _ result: ValueType?) {
        self.operands = operands
        self.result = result
    }

    static let load = SIMDSignature([.i32], .v128)
    static let store = SIMDSignature([.i32, .v128], nil)
    static let loadLane = SIMDSignature([.i32, .v128], .v128)
    static let constant = SIMDSignature([], .v128)
    static let unary = SIMDSignature([.v128], .v128)
    static let binary = SIMDSignature([.v128, .v128], .v128)
    static let ternary = SIMDSignature([.v128, .v128, .v128], .v128)
    static let test = SIMDSignature([.v128], .i32)
    static let shift = SIMDSignature([.v128, .i32], .v128)
    static let splatI32 = SIMDSignature([.i32], .v128)
    static let splatI64 = SIMDSignature([.i64], .v128)
    static let splatF32 = SIMDSignature([.f32], .v128)
    static let splatF64 = SIMDSignature([.f64], .v128)
    static let extractI32 = SIMDSignature([.v128], .i32)
    static let extractI64 = SIMDSignature([.v128], .i64)
    static let extractF32 = SIMDSignature([.v128], .f32)
    static let extractF64 = SIMDSignature([.v128], .f64)
    static let replaceI32 = SIMDSignature([.v128, .i32], .v128)
    static let replaceI64 = SIMDSignature([.v128, .i64], .v128)
    static let replaceF32 = SIMDSignature([.v128, .f32], .v128)
    static let replaceF64 = SIMDSignature([.v128, .f64], .v128)
}
