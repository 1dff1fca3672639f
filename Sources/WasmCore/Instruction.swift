/// Wasm 2.0 instructions, grouped by family so a consumer switches on a few
/// cases and then on the family's operator.

public enum BlockType: Hashable, Sendable {
    case empty
    case value(ValueType)
    case typeIndex(UInt32)
}

public struct MemoryArgument: Hashable, Sendable {
    /// log2 of the alignment hint.
    public var align: UInt32
    public var offset: UInt32
    public init(align: UInt32, offset: UInt32) {
        self.align = align
        self.offset = offset
    }
}

public enum Instruction: Hashable, Sendable {
    // Control
    case unreachable
    case nop
    case block(BlockType)
    case loop(BlockType)
    case `if`(BlockType)
    case `else`
    case end
    case br(UInt32)
    case brIf(UInt32)
    case brTable(targets: [UInt32], default: UInt32)
    case `return`
    case call(UInt32)
    case callIndirect(typeIndex: UInt32, table: UInt32)

    // Reference
    case refNull(ValueType)
    case refIsNull
    case refFunc(UInt32)

    // Parametric
    case drop
    /// `select` (types nil) or `select t*` (0x1C, with its result types).
    case select([ValueType]?)

    // Variable
    case localGet(UInt32)
    case localSet(UInt32)
    case localTee(UInt32)
    case globalGet(UInt32)
    case globalSet(UInt32)

    // Table
    case tableGet(UInt32)
    case tableSet(UInt32)
    case tableInit(element: UInt32, table: UInt32)
    case elemDrop(UInt32)
    case tableCopy(destination: UInt32, source: UInt32)
    case tableGrow(UInt32)
    case tableSize(UInt32)
    case tableFill(UInt32)

    // Memory
    case load(LoadOperator, MemoryArgument)
    case store(StoreOperator, MemoryArgument)
    case memorySize
    case memoryGrow
    case memoryInit(UInt32)
    case dataDrop(UInt32)
    case memoryCopy
    case memoryFill

    // Numeric
    case i32Const(UInt32)
    case i64Const(UInt64)
    case f32Const(bits: UInt32)
    case f64Const(bits: UInt64)
    case numeric(NumericOperator)

    // Vector (0xFD prefix; VectorInstruction.swift)
    case vector(VectorInstruction)
}

public enum LoadOperator: UInt8, Hashable, Sendable, CaseIterable {
    case i32Load = 0x28, i64Load = 0x29, f32Load = 0x2A, f64Load = 0x2B
    case i32Load8S = 0x2C, i32Load8U = 0x2D, i32Load16S = 0x2E, i32Load16U = 0x2F
    case i64Load8S = 0x30, i64Load8U = 0x31, i64Load16S = 0x32, i64Load16U = 0x33
    case i64Load32S = 0x34, i64Load32U = 0x35

    public var resultType: ValueType {
        switch self {
        case .i32Load, .i32Load8S, .i32Load8U, .i32Load16S, .i32Load16U: .i32
        case .f32Load: .f32
        case .f64Load: .f64
        default: .i64
        }
    }
    /// Bytes read; the natural alignment is log2 of this.
    public var width: Int {
        switch self {
        case .i32Load8S, .i32Load8U, .i64Load8S, .i64Load8U: 1
        case .i32Load16S, .i32Load16U, .i64Load16S, .i64Load16U: 2
        case .i32Load, .f32Load, .i64Load32S, .i64Load32U: 4
        case .i64Load, .f64Load: 8
        }
    }
}

public enum StoreOperator: UInt8, Hashable, Sendable, CaseIterable {
    case i32Store = 0x36, i64Store = 0x37, f32Store = 0x38, f64Store = 0x39
    case i32Store8 = 0x3A, i32Store16 = 0x3B
    case i64Store8 = 0x3C, i64Store16 = 0x3D, i64Store32 = 0x3E

    public var valueType: ValueType {
        switch self {
        case .i32Store, .i32Store8, .i32Store16: .i32
        case .f32Store: .f32
        case .f64Store: .f64
        default: .i64
        }
    }
    public var width: Int {
        switch self {
        case .i32Store8, .i64Store8: 1
        case .i32Store16, .i64Store16: 2
        case .i32Store, .f32Store, .i64Store32: 4
        case .i64Store, .f64Store: 8
        }
    }
}

/// Every numeric instruction without immediates. Raw value: the opcode,
/// with 0xFC-prefixed ones as 0xFC00 | subopcode.
public enum NumericOperator: UInt16, Hashable, Sendable, CaseIterable {
    // i32 comparisons
    case i32Eqz = 0x45, i32Eq, i32Ne, i32LtS, i32LtU, i32GtS, i32GtU, i32LeS, i32LeU, i32GeS, i32GeU
    // i64 comparisons
    case i64Eqz = 0x50, i64Eq, i64Ne, i64LtS, i64LtU, i64GtS, i64GtU, i64LeS, i64LeU, i64GeS, i64GeU
    // f32 comparisons
    case f32Eq = 0x5B, f32Ne, f32Lt, f32Gt, f32Le, f32Ge
    // f64 comparisons
    case f64Eq = 0x61, f64Ne, f64Lt, f64Gt, f64Le, f64Ge
    // i32 arithmetic
    case i32Clz = 0x67, i32Ctz, i32Popcnt, i32Add, i32Sub, i32Mul, i32DivS, i32DivU, i32RemS, i32RemU
    case i32And, i32Or, i32Xor, i32Shl, i32ShrS, i32ShrU, i32Rotl, i32Rotr
    // i64 arithmetic
    case i64Clz = 0x79, i64Ctz, i64Popcnt, i64Add, i64Sub, i64Mul, i64DivS, i64DivU, i64RemS, i64RemU
    case i64And, i64Or, i64Xor, i64Shl, i64ShrS, i64ShrU, i64Rotl, i64Rotr
    // f32 arithmetic
    case f32Abs = 0x8B, f32Neg, f32Ceil, f32Floor, f32Trunc, f32Nearest, f32Sqrt
    case f32Add, f32Sub, f32Mul, f32Div, f32Min, f32Max, f32Copysign
    // f64 arithmetic
    case f64Abs = 0x99, f64Neg, f64Ceil, f64Floor, f64Trunc, f64Nearest, f64Sqrt
    case f64Add, f64Sub, f64Mul, f64Div, f64Min, f64Max, f64Copysign
    // conversions
    case i32WrapI64 = 0xA7, i32TruncF32S, i32TruncF32U, i32TruncF64S, i32TruncF64U
    case i64ExtendI32S, i64ExtendI32U, i64TruncF32S, i64TruncF32U, i64TruncF64S, i64TruncF64U
    case f32ConvertI32S, f32ConvertI32U, f32ConvertI64S, f32ConvertI64U, f32DemoteF64
    case f64ConvertI32S, f64ConvertI32U, f64ConvertI64S, f64ConvertI64U, f64PromoteF32
    case i32ReinterpretF32, i64ReinterpretF64, f32ReinterpretI32, f64ReinterpretI64
    // sign extension
    case i32Extend8S = 0xC0, i32Extend16S, i64Extend8S, i64Extend16S, i64Extend32S
    // saturating truncation (0xFC 0..7)
    case i32TruncSatF32S = 0xFC00, i32TruncSatF32U, i32TruncSatF64S, i32TruncSatF64U
    case i64TruncSatF32S, i64TruncSatF32U, i64TruncSatF64S, i64TruncSatF64U

    /// Operand types, top of stack last, and the result type.
    public var signature: (operands: [ValueType], result: ValueType) {
        let raw = rawValue
        switch raw {
        case 0x45: return ([.i32], .i32)
        case 0x46...0x4F: return ([.i32, .i32], .i32)
        case 0x50: return ([.i64], .i32)
        case 0x51...0x5A: return ([.i64, .i64], .i32)
        case 0x5B...0x60: return ([.f32, .f32], .i32)
        case 0x61...0x66: return ([.f64, .f64], .i32)
        case 0x67...0x69: return ([.i32], .i32)
        case 0x6A...0x78: return ([.i32, .i32], .i32)
        case 0x79...0x7B: return ([.i64], .i64)
        case 0x7C...0x8A: return ([.i64, .i64], .i64)
        case 0x8B...0x91: return ([.f32], .f32)
        case 0x92...0x98: return ([.f32, .f32], .f32)
        case 0x99...0x9F: return ([.f64], .f64)
        case 0xA0...0xA6: return ([.f64, .f64], .f64)
        case 0xA7: return ([.i64], .i32)
        case 0xA8, 0xA9: return ([.f32], .i32)
        case 0xAA, 0xAB: return ([.f64], .i32)
        case 0xAC, 0xAD: return ([.i32], .i64)
        case 0xAE, 0xAF: return ([.f32], .i64)
        case 0xB0, 0xB1: return ([.f64], .i64)
        case 0xB2, 0xB3: return ([.i32], .f32)
        case 0xB4, 0xB5: return ([.i64], .f32)
        case 0xB6: return ([.f64], .f32)
        case 0xB7, 0xB8: return ([.i32], .f64)
        case 0xB9, 0xBA: return ([.i64], .f64)
        case 0xBB: return ([.f32], .f64)
        case 0xBC: return ([.f32], .i32)
        case 0xBD: return ([.f64], .i64)
        case 0xBE: return ([.i32], .f32)
        case 0xBF: return ([.i64], .f64)
        case 0xC0, 0xC1: return ([.i32], .i32)
        case 0xC2...0xC4: return ([.i64], .i64)
        case 0xFC00, 0xFC01: return ([.f32], .i32)
        case 0xFC02, 0xFC03: return ([.f64], .i32)
        case 0xFC04, 0xFC05: return ([.f32], .i64)
        default: return ([.f64], .i64)  // 0xFC06, 0xFC07
        }
    }
}
