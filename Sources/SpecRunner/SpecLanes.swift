/// v128 values of a script: lanes of a lane type packed into the two
/// 64-bit halves the driver passes and prints ("v128:<low>:<high>").
enum SpecLanes {
    /// Lane width in bits for a wast2json lane type.
    static func width(_ laneType: String?) -> Int? {
        switch laneType {
        case "i8": 8
        case "i16": 16
        case "i32", "f32": 32
        case "i64", "f64": 64
        default: nil
        }
    }

    /// The halves of a v128 argument (every lane a bit pattern).
    static func halves(_ value: SpecValue) -> (low: UInt64, high: UInt64)? {
        guard let width = width(value.laneType), let lanes = value.lanes, lanes.count * width == 128 else { return nil }
        var halves: [UInt64] = [0, 0]
        for (index, text) in lanes.enumerated() {
            guard let lane = UInt64(text), width == 64 || lane >> UInt64(width) == 0 else { return nil }
            let bit = index * width
            halves[bit / 64] |= lane << UInt64(bit % 64)
        }
        return (halves[0], halves[1])
    }

    /// Whether printed "<low>:<high>" has the expected lanes; a float lane
    /// may expect "nan:canonical" or "nan:arithmetic".
    static func matches(_ printed: String, _ expected: SpecValue) -> Bool {
        let parts = printed.split(separator: ":")
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]),
              let width = width(expected.laneType), let lanes = expected.lanes, lanes.count * width == 128
        else { return false }
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        for (index, want) in lanes.enumerated() {
            let bit = index * width
            let lane = ((bit < 64 ? low : high) >> UInt64(bit % 64)) & mask
            switch want {
            case "nan:canonical", "nan:arithmetic":
                let (quiet, payload): (UInt64, UInt64) = width == 32
                    ? (0x7FC0_0000, 0x7FFF_FFFF) : (0x7FF8_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF)
                let ok = want == "nan:canonical" ? lane & payload == quiet : lane & quiet == quiet
                if !ok { return false }
            default:
                guard UInt64(want) == lane else { return false }
            }
        }
        return true
    }
}
