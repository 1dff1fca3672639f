/// The fixed-width SIMD instructions of Wasm 2.0 (prefix 0xFD): the raw
/// value is the subopcode (every one fits in a byte, though the binary
/// format encodes it as a u32 LEB128).
public enum SIMDOperator: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case v128Load = 0x00
    case v128Load8x8S = 0x01
    case v128Load8x8U = 0x02
    case v128Load16x4S = 0x03
    case v128Load16x4U = 0x04
    case v128Load32x2S = 0x05
    case v128Load32x2U = 0x06
    case v128Load8Splat = 0x07
    case v128Load16Splat = 0x08
    case v128Load32Splat = 0x09
    case v128Load64Splat = 0x0A
    case v128Store = 0x0B
    case v128Const = 0x0C
    case i8x16Shuffle = 0x0D
    case i8x16Swizzle = 0x0E
    case i8x16Splat = 0x0F
    case i16x8Splat = 0x10
    case i32x4Splat = 0x11
    case i64x2Splat = 0x12
    case f32x4Splat = 0x13
    case f64x2Splat = 0x14
    case i8x16ExtractLaneS = 0x15
    case i8x16ExtractLaneU = 0x16
    case i8x16ReplaceLane = 0x17
    case i16x8ExtractLaneS = 0x18
    case i16x8ExtractLaneU = 0x19
    case i16x8ReplaceLane = 0x1A
    case i32x4ExtractLane = 0x1B
    case i32x4ReplaceLane = 0x1C
    case i64x2ExtractLane = 0x1D
    case i64x2ReplaceLane = 0x1E
    case f32x4ExtractLane = 0x1F
    case f32x4ReplaceLane = 0x20
    case f64x2ExtractLane = 0x21
    case f64x2ReplaceLane = 0x22
    case i8x16Eq = 0x23
    case i8x16Ne = 0x24
    case i8x16LtS = 0x25
    case i8x16LtU = 0x26
    case i8x16GtS = 0x27
    case i8x16GtU = 0x28
    case i8x16LeS = 0x29
    case i8x16LeU = 0x2A
    case i8x16GeS = 0x2B
    case i8x16GeU = 0x2C
    case i16x8Eq = 0x2D
    case i16x8Ne = 0x2E
    case i16x8LtS = 0x2F
    case i16x8LtU = 0x30
    case i16x8GtS = 0x31
    case i16x8GtU = 0x32
    case i16x8LeS = 0x33
    case i16x8LeU = 0x34
    case i16x8GeS = 0x35
    case i16x8GeU = 0x36
    case i32x4Eq = 0x37
    case i32x4Ne = 0x38
    case i32x4LtS = 0x39
    case i32x4LtU = 0x3A
    case i32x4GtS = 0x3B
    case i32x4GtU = 0x3C
    case i32x4LeS = 0x3D
    case i32x4LeU = 0x3E
    case i32x4GeS = 0x3F
    case i32x4GeU = 0x40
    case f32x4Eq = 0x41
    case f32x4Ne = 0x42
    case f32x4Lt = 0x43
    case f32x4Gt = 0x44
    case f32x4Le = 0x45
    case f32x4Ge = 0x46
    case f64x2Eq = 0x47
    case f64x2Ne = 0x48
    case f64x2Lt = 0x49
    case f64x2Gt = 0x4A
    case f64x2Le = 0x4B
    case f64x2Ge = 0x4C
    case v128Not = 0x4D
    case v128And = 0x4E
    case v128Andnot = 0x4F
    case v128Or = 0x50
    case v128Xor = 0x51
    case v128Bitselect = 0x52
    case v128AnyTrue = 0x53
    case v128Load8Lane = 0x54
    case v128Load16Lane = 0x55
    case v128Load32Lane = 0x56
    case v128Load64Lane = 0x57
    case v128Store8Lane = 0x58
    case v128Store16Lane = 0x59
    case v128Store32Lane = 0x5A
    case v128Store64Lane = 0x5B
    case v128Load32Zero = 0x5C
    case v128Load64Zero = 0x5D
    case f32x4DemoteF64x2Zero = 0x5E
    case f64x2PromoteLowF32x4 = 0x5F
    case i8x16Abs = 0x60
    case i8x16Neg = 0x61
    case i8x16Popcnt = 0x62
    case i8x16AllTrue = 0x63
    case i8x16Bitmask = 0x64
    case i8x16NarrowI16x8S = 0x65
    case i8x16NarrowI16x8U = 0x66
    case f32x4Ceil = 0x67
    case f32x4Floor = 0x68
    case f32x4Trunc = 0x69
    case f32x4Nearest = 0x6A
    case i8x16Shl = 0x6B
    case i8x16ShrS = 0x6C
    case i8x16ShrU = 0x6D
    case i8x16Add = 0x6E
    case i8x16AddSatS = 0x6F
    case i8x16AddSatU = 0x70
    case i8x16Sub = 0x71
    case i8x16SubSatS = 0x72
    case i8x16SubSatU = 0x73
    case f64x2Ceil = 0x74
    case f64x2Floor = 0x75
    case i8x16MinS = 0x76
    case i8x16MinU = 0x77
    case i8x16MaxS = 0x78
    case i8x16MaxU = 0x79
    case f64x2Trunc = 0x7A
    case i8x16AvgrU = 0x7B
    case i16x8ExtaddPairwiseI8x16S = 0x7C
    case i16x8ExtaddPairwiseI8x16U = 0x7D
    case i32x4ExtaddPairwiseI16x8S = 0x7E
    case i32x4ExtaddPairwiseI16x8U = 0x7F
    case i16x8Abs = 0x80
    case i16x8Neg = 0x81
    case i16x8Q15mulrSatS = 0x82
    case i16x8AllTrue = 0x83
    case i16x8Bitmask = 0x84
    case i16x8NarrowI32x4S = 0x85
    case i16x8NarrowI32x4U = 0x86
    case i16x8ExtendLowI8x16S = 0x87
    case i16x8ExtendHighI8x16S = 0x88
    case i16x8ExtendLowI8x16U = 0x89
    case i16x8ExtendHighI8x16U = 0x8A
    case i16x8Shl = 0x8B
    case i16x8ShrS = 0x8C
    case i16x8ShrU = 0x8D
    case i16x8Add = 0x8E
    case i16x8AddSatS = 0x8F
    case i16x8AddSatU = 0x90
    case i16x8Sub = 0x91
    case i16x8SubSatS = 0x92
    case i16x8SubSatU = 0x93
    case f64x2Nearest = 0x94
    case i16x8Mul = 0x95
    case i16x8MinS = 0x96
    case i16x8MinU = 0x97
    case i16x8MaxS = 0x98
    case i16x8MaxU = 0x99
    case i16x8AvgrU = 0x9B
    case i16x8ExtmulLowI8x16S = 0x9C
    case i16x8ExtmulHighI8x16S = 0x9D
    case i16x8ExtmulLowI8x16U = 0x9E
    case i16x8ExtmulHighI8x16U = 0x9F
    case i32x4Abs = 0xA0
    case i32x4Neg = 0xA1
    case i32x4AllTrue = 0xA3
    case i32x4Bitmask = 0xA4
    case i32x4ExtendLowI16x8S = 0xA7
    case i32x4ExtendHighI16x8S = 0xA8
    case i32x4ExtendLowI16x8U = 0xA9
    case i32x4ExtendHighI16x8U = 0xAA
    case i32x4Shl = 0xAB
    case i32x4ShrS = 0xAC
    case i32x4ShrU = 0xAD
    case i32x4Add = 0xAE
    case i32x4Sub = 0xB1
    case i32x4Mul = 0xB5
    case i32x4MinS = 0xB6
    case i32x4MinU = 0xB7
    case i32x4MaxS = 0xB8
    case i32x4MaxU = 0xB9
    case i32x4DotI16x8S = 0xBA
    case i32x4ExtmulLowI16x8S = 0xBC
    case i32x4ExtmulHighI16x8S = 0xBD
    case i32x4ExtmulLowI16x8U = 0xBE
    case i32x4ExtmulHighI16x8U = 0xBF
    case i64x2Abs = 0xC0
    case i64x2Neg = 0xC1
    case i64x2AllTrue = 0xC3
    case i64x2Bitmask = 0xC4
    case i64x2ExtendLowI32x4S = 0xC7
    case i64x2ExtendHighI32x4S = 0xC8
    case i64x2ExtendLowI32x4U = 0xC9
    case i64x2ExtendHighI32x4U = 0xCA
    case i64x2Shl = 0xCB
    case i64x2ShrS = 0xCC
    case i64x2ShrU = 0xCD
    case i64x2Add = 0xCE
    case i64x2Sub = 0xD1
    case i64x2Mul = 0xD5
    case i64x2Eq = 0xD6
    case i64x2Ne = 0xD7
    case i64x2LtS = 0xD8
    case i64x2GtS = 0xD9
    case i64x2LeS = 0xDA
    case i64x2GeS = 0xDB
    case i64x2ExtmulLowI32x4S = 0xDC
    case i64x2ExtmulHighI32x4S = 0xDD
    case i64x2ExtmulLowI32x4U = 0xDE
    case i64x2ExtmulHighI32x4U = 0xDF
    case f32x4Abs = 0xE0
    case f32x4Neg = 0xE1
    case f32x4Sqrt = 0xE3
    case f32x4Add = 0xE4
    case f32x4Sub = 0xE5
    case f32x4Mul = 0xE6
    case f32x4Div = 0xE7
    case f32x4Min = 0xE8
    case f32x4Max = 0xE9
    case f32x4Pmin = 0xEA
    case f32x4Pmax = 0xEB
    case f64x2Abs = 0xEC
    case f64x2Neg = 0xED
    case f64x2Sqrt = 0xEF
    case f64x2Add = 0xF0
    case f64x2Sub = 0xF1
    case f64x2Mul = 0xF2
    case f64x2Div = 0xF3
    case f64x2Min = 0xF4
    case f64x2Max = 0xF5
    case f64x2Pmin = 0xF6
    case f64x2Pmax = 0xF7
    case i32x4TruncSatF32x4S = 0xF8
    case i32x4TruncSatF32x4U = 0xF9
    case f32x4ConvertI32x4S = 0xFA
    case f32x4ConvertI32x4U = 0xFB
    case i32x4TruncSatF64x2SZero = 0xFC
    case i32x4TruncSatF64x2UZero = 0xFD
    case f64x2ConvertLowI32x4S = 0xFE
    case f64x2ConvertLowI32x4U = 0xFF

    /// The text-format name, e.g. "i8x16.add_sat_s".
    public var name: String { Self.names[Int(rawValue)] }

    /// "i8x16.add_sat_s (0xfd 0x6f)", for error messages.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return "\(name) (0xfd 0x\(hex.count < 2 ? "0" + hex : hex))"
    }

    /// What follows the subopcode in the binary format.
    public enum Immediates: Sendable {
        case none
        case memoryArgument
        case memoryArgumentAndLane
        case lane
        case sixteenBytes
    }

    public var immediates: Immediates {
        switch rawValue {
        case 0x00...0x0B, 0x5C, 0x5D: .memoryArgument  // loads and stores
        case 0x0C, 0x0D: .sixteenBytes  // v128.const, i8x16.shuffle
        case 0x15...0x22: .lane  // extract_lane, replace_lane
        case 0x54...0x5B: .memoryArgumentAndLane  // load*_lane, store*_lane
        default: .none
        }
    }

    /// Names by subopcode; "" marks the unassigned ones.
    private static let names: [String] = [
        "v128.load", "v128.load8x8_s", "v128.load8x8_u", "v128.load16x4_s",  // 0x00
        "v128.load16x4_u", "v128.load32x2_s", "v128.load32x2_u", "v128.load8_splat",  // 0x04
        "v128.load16_splat", "v128.load32_splat", "v128.load64_splat", "v128.store",  // 0x08
        "v128.const", "i8x16.shuffle", "i8x16.swizzle", "i8x16.splat",  // 0x0c
        "i16x8.splat", "i32x4.splat", "i64x2.splat", "f32x4.splat",  // 0x10
        "f64x2.splat", "i8x16.extract_lane_s", "i8x16.extract_lane_u", "i8x16.replace_lane",  // 0x14
        "i16x8.extract_lane_s", "i16x8.extract_lane_u", "i16x8.replace_lane", "i32x4.extract_lane",  // 0x18
        "i32x4.replace_lane", "i64x2.extract_lane", "i64x2.replace_lane", "f32x4.extract_lane",  // 0x1c
        "f32x4.replace_lane", "f64x2.extract_lane", "f64x2.replace_lane", "i8x16.eq",  // 0x20
        "i8x16.ne", "i8x16.lt_s", "i8x16.lt_u", "i8x16.gt_s",  // 0x24
        "i8x16.gt_u", "i8x16.le_s", "i8x16.le_u", "i8x16.ge_s",  // 0x28
        "i8x16.ge_u", "i16x8.eq", "i16x8.ne", "i16x8.lt_s",  // 0x2c
        "i16x8.lt_u", "i16x8.gt_s", "i16x8.gt_u", "i16x8.le_s",  // 0x30
        "i16x8.le_u", "i16x8.ge_s", "i16x8.ge_u", "i32x4.eq",  // 0x34
        "i32x4.ne", "i32x4.lt_s", "i32x4.lt_u", "i32x4.gt_s",  // 0x38
        "i32x4.gt_u", "i32x4.le_s", "i32x4.le_u", "i32x4.ge_s",  // 0x3c
        "i32x4.ge_u", "f32x4.eq", "f32x4.ne", "f32x4.lt",  // 0x40
        "f32x4.gt", "f32x4.le", "f32x4.ge", "f64x2.eq",  // 0x44
        "f64x2.ne", "f64x2.lt", "f64x2.gt", "f64x2.le",  // 0x48
        "f64x2.ge", "v128.not", "v128.and", "v128.andnot",  // 0x4c
        "v128.or", "v128.xor", "v128.bitselect", "v128.any_true",  // 0x50
        "v128.load8_lane", "v128.load16_lane", "v128.load32_lane", "v128.load64_lane",  // 0x54
        "v128.store8_lane", "v128.store16_lane", "v128.store32_lane", "v128.store64_lane",  // 0x58
        "v128.load32_zero", "v128.load64_zero", "f32x4.demote_f64x2_zero", "f64x2.promote_low_f32x4",  // 0x5c
        "i8x16.abs", "i8x16.neg", "i8x16.popcnt", "i8x16.all_true",  // 0x60
        "i8x16.bitmask", "i8x16.narrow_i16x8_s", "i8x16.narrow_i16x8_u", "f32x4.ceil",  // 0x64
        "f32x4.floor", "f32x4.trunc", "f32x4.nearest", "i8x16.shl",  // 0x68
        "i8x16.shr_s", "i8x16.shr_u", "i8x16.add", "i8x16.add_sat_s",  // 0x6c
        "i8x16.add_sat_u", "i8x16.sub", "i8x16.sub_sat_s", "i8x16.sub_sat_u",  // 0x70
        "f64x2.ceil", "f64x2.floor", "i8x16.min_s", "i8x16.min_u",  // 0x74
        "i8x16.max_s", "i8x16.max_u", "f64x2.trunc", "i8x16.avgr_u",  // 0x78
        "i16x8.extadd_pairwise_i8x16_s", "i16x8.extadd_pairwise_i8x16_u", "i32x4.extadd_pairwise_i16x8_s", "i32x4.extadd_pairwise_i16x8_u",  // 0x7c
        "i16x8.abs", "i16x8.neg", "i16x8.q15mulr_sat_s", "i16x8.all_true",  // 0x80
        "i16x8.bitmask", "i16x8.narrow_i32x4_s", "i16x8.narrow_i32x4_u", "i16x8.extend_low_i8x16_s",  // 0x84
        "i16x8.extend_high_i8x16_s", "i16x8.extend_low_i8x16_u", "i16x8.extend_high_i8x16_u", "i16x8.shl",  // 0x88
        "i16x8.shr_s", "i16x8.shr_u", "i16x8.add", "i16x8.add_sat_s",  // 0x8c
        "i16x8.add_sat_u", "i16x8.sub", "i16x8.sub_sat_s", "i16x8.sub_sat_u",  // 0x90
        "f64x2.nearest", "i16x8.mul", "i16x8.min_s", "i16x8.min_u",  // 0x94
        "i16x8.max_s", "i16x8.max_u", "", "i16x8.avgr_u",  // 0x98
        "i16x8.extmul_low_i8x16_s", "i16x8.extmul_high_i8x16_s", "i16x8.extmul_low_i8x16_u", "i16x8.extmul_high_i8x16_u",  // 0x9c
        "i32x4.abs", "i32x4.neg", "", "i32x4.all_true",  // 0xa0
        "i32x4.bitmask", "", "", "i32x4.extend_low_i16x8_s",  // 0xa4
        "i32x4.extend_high_i16x8_s", "i32x4.extend_low_i16x8_u", "i32x4.extend_high_i16x8_u", "i32x4.shl",  // 0xa8
        "i32x4.shr_s", "i32x4.shr_u", "i32x4.add", "",  // 0xac
        "", "i32x4.sub", "", "",  // 0xb0
        "", "i32x4.mul", "i32x4.min_s", "i32x4.min_u",  // 0xb4
        "i32x4.max_s", "i32x4.max_u", "i32x4.dot_i16x8_s", "",  // 0xb8
        "i32x4.extmul_low_i16x8_s", "i32x4.extmul_high_i16x8_s", "i32x4.extmul_low_i16x8_u", "i32x4.extmul_high_i16x8_u",  // 0xbc
        "i64x2.abs", "i64x2.neg", "", "i64x2.all_true",  // 0xc0
        "i64x2.bitmask", "", "", "i64x2.extend_low_i32x4_s",  // 0xc4
        "i64x2.extend_high_i32x4_s", "i64x2.extend_low_i32x4_u", "i64x2.extend_high_i32x4_u", "i64x2.shl",  // 0xc8
        "i64x2.shr_s", "i64x2.shr_u", "i64x2.add", "",  // 0xcc
        "", "i64x2.sub", "", "",  // 0xd0
        "", "i64x2.mul", "i64x2.eq", "i64x2.ne",  // 0xd4
        "i64x2.lt_s", "i64x2.gt_s", "i64x2.le_s", "i64x2.ge_s",  // 0xd8
        "i64x2.extmul_low_i32x4_s", "i64x2.extmul_high_i32x4_s", "i64x2.extmul_low_i32x4_u", "i64x2.extmul_high_i32x4_u",  // 0xdc
        "f32x4.abs", "f32x4.neg", "", "f32x4.sqrt",  // 0xe0
        "f32x4.add", "f32x4.sub", "f32x4.mul", "f32x4.div",  // 0xe4
        "f32x4.min", "f32x4.max", "f32x4.pmin", "f32x4.pmax",  // 0xe8
        "f64x2.abs", "f64x2.neg", "", "f64x2.sqrt",  // 0xec
        "f64x2.add", "f64x2.sub", "f64x2.mul", "f64x2.div",  // 0xf0
        "f64x2.min", "f64x2.max", "f64x2.pmin", "f64x2.pmax",  // 0xf4
        "i32x4.trunc_sat_f32x4_s", "i32x4.trunc_sat_f32x4_u", "f32x4.convert_i32x4_s", "f32x4.convert_i32x4_u",  // 0xf8
        "i32x4.trunc_sat_f64x2_s_zero", "i32x4.trunc_sat_f64x2_u_zero", "f64x2.convert_low_i32x4_s", "f64x2.convert_low_i32x4_u",  // 0xfc
    ]
}
