/// The Wasm 2.0 SIMD opcodes (0xFD prefix): names and immediates, enough to
/// decode past them. This compiler does not lower SIMD yet; the decoder
/// turns each into `.unsupported` with the name below.
struct SIMDOpcode {
    let subopcode: UInt32
    let name: String

    enum Immediates { case none, memoryArgument, memoryArgumentAndLane, lane, sixteenBytes }

    /// nil for a subopcode Wasm 2.0 does not define.
    init?(_ subopcode: UInt32) {
        guard subopcode < UInt32(Self.names.count) else { return nil }
        let name = Self.names[Int(subopcode)]
        guard !name.isEmpty else { return nil }
        self.subopcode = subopcode
        self.name = name
    }

    var immediates: Immediates {
        switch subopcode {
        case 0x00...0x0B, 0x5C, 0x5D: .memoryArgument  // loads and stores
        case 0x0C, 0x0D: .sixteenBytes  // v128.const, i8x16.shuffle
        case 0x15...0x22: .lane  // extract_lane, replace_lane
        case 0x54...0x5B: .memoryArgumentAndLane  // load*_lane, store*_lane
        default: .none
        }
    }

    /// The `.unsupported` payload, e.g. "v128.load (0xfd 0x00)".
    var instructionName: String {
        let hex = String(subopcode, radix: 16)
        return "\(name) (0xfd 0x\(hex.count < 2 ? "0" + hex : hex))"
    }

    /// The payload of `v128.const`, the one SIMD constant instruction.
    static let vectorConstantName = "v128.const (0xfd 0x0c)"

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
