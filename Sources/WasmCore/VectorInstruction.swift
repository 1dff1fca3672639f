/// A SIMD instruction (0xFD prefix) with its immediates: the payload of
/// `Instruction.vector`. The 16-byte immediates are boxed, so the common
/// cases keep `Instruction` small.
public enum VectorInstruction: Hashable, Sendable {
    /// An operator without immediates.
    case plain(SIMDOperator)
    /// A load or store of a vector, part of one, or a splatted or
    /// zero-extended scalar.
    case memory(SIMDOperator, MemoryArgument)
    /// extract_lane and replace_lane with their lane index.
    case lane(SIMDOperator, UInt8)
    /// load*_lane and store*_lane.
    case memoryLane(SIMDOperator, MemoryArgument, lane: UInt8)
    /// v128.const.
    indirect case constant(V128)
    /// i8x16.shuffle: byte i of the immediate picks lane i of the result
    /// from the 32 lanes of both operands (validation checks each < 32).
    indirect case shuffle(V128)

    public var op: SIMDOperator {
        switch self {
        case .plain(let op), .memory(let op, _), .lane(let op, _), .memoryLane(let op, _, _): op
        case .constant: .v128Const
        case .shuffle: .i8x16Shuffle
        }
    }
}

/// 128 bits as two little-endian halves: byte i of the vector is byte
/// i % 8 of `low` (i < 8) or of `high`.
public struct V128: Hashable, Sendable {
    public var low: UInt64
    public var high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// From exactly 16 bytes, lane 0 first; nil for any other count.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 16 else { return nil }
        var low: UInt64 = 0, high: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { low |= UInt64(byte) << (8 * UInt64(index)) } else { high |= UInt64(byte) << (8 * UInt64(index - 8)) }
        }
        self.init(low: low, high: high)
    }

    public var bytes: [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? low : high) >> (8 * UInt64($0 % 8))) }
    }
}
