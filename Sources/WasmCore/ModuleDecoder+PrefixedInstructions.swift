/// Instructions behind a prefix byte and a u32 subopcode: 0xFC (saturating
/// truncation, bulk memory, tables) and 0xFD (SIMD).
extension ModuleDecoder {
    mutating func readMiscellaneousInstruction(at start: Int) throws(DecodeError) -> Instruction {
        let subopcode = try reader.readVarUInt32()
        switch subopcode {
        case 0...7:
            guard let numeric = NumericOperator(rawValue: 0xFC00 | UInt16(subopcode)) else { break }
            return .numeric(numeric)
        case 8:
            let segment = try reader.readVarUInt32()
            try reader.readZeroByte()
            usesDataSegmentIndices = true
            return .memoryInit(segment)
        case 9:
            usesDataSegmentIndices = true
            return .dataDrop(try reader.readVarUInt32())
        case 10:
            try reader.readZeroByte()
            try reader.readZeroByte()
            return .memoryCopy
        case 11:
            try reader.readZeroByte()
            return .memoryFill
        case 12:
            let element = try reader.readVarUInt32()
            return .tableInit(element: element, table: try reader.readVarUInt32())
        case 13: return .elemDrop(try reader.readVarUInt32())
        case 14:
            let destination = try reader.readVarUInt32()
            return .tableCopy(destination: destination, source: try reader.readVarUInt32())
        case 15: return .tableGrow(try reader.readVarUInt32())
        case 16: return .tableSize(try reader.readVarUInt32())
        case 17: return .tableFill(try reader.readVarUInt32())
        default: break
        }
        throw .illegalOpcode(prefix: 0xFC, subopcode, at: start)
    }

    /// A SIMD instruction and its immediates. Lane indices are read as
    /// raw bytes and checked by validation, as in the reference decoder.
    mutating func readVectorInstruction(at start: Int) throws(DecodeError) -> Instruction {
        let subopcode = try reader.readVarUInt32()
        guard subopcode <= UInt32(UInt8.max), let op = SIMDOperator(rawValue: UInt8(subopcode)) else {
            throw .illegalOpcode(prefix: 0xFD, subopcode, at: start)
        }
        switch op.immediates {
        case .none:
            return .vector(.plain(op))
        case .memoryArgument:
            return .vector(.memory(op, try readMemoryArgument()))
        case .memoryArgumentAndLane:
            let memory = try readMemoryArgument()
            return .vector(.memoryLane(op, memory, lane: try reader.readByte()))
        case .lane:
            return .vector(.lane(op, try reader.readByte()))
        case .sixteenBytes:
            guard let bytes = V128(bytes: try reader.readBytes(16)) else { throw .unexpectedEnd(at: reader.bytes.count) }
            return .vector(op == .v128Const ? .constant(bytes) : .shuffle(bytes))
        }
    }
}
