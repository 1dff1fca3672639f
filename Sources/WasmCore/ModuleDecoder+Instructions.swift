/// Instruction sequences: the block structure (`block`/`loop`/`if` ...
/// `else` ... `end`) and the one-byte opcodes. Prefixed opcodes (0xFC,
/// 0xFD) are in ModuleDecoder+PrefixedInstructions.swift.
extension ModuleDecoder {
    /// Reads instructions up to and including the `end` that closes the
    /// expression, appending each with the byte offset of its opcode.
    mutating func readExpression(
        into instructions: inout [Instruction], offsets: inout [Int], inFunctionBody: Bool
    ) throws(DecodeError) {
        openBlocks.removeAll(keepingCapacity: true)
        let usedDataSegmentIndices = usesDataSegmentIndices
        while true {
            let start = reader.position
            let opcode = try reader.readByte()
            let instruction: Instruction
            switch opcode {
            case 0x02:
                instruction = .block(try readBlockType())
                openBlocks.append(.plain)
            case 0x03:
                instruction = .loop(try readBlockType())
                openBlocks.append(.plain)
            case 0x04:
                instruction = .if(try readBlockType())
                openBlocks.append(.ifWithoutElse)
            case 0x05:
                // Anywhere but directly in an `if` the enclosing block is
                // still open, and the reference decoder wants its END.
                guard openBlocks.last == .ifWithoutElse else { throw .endOpcodeExpected(at: start) }
                openBlocks[openBlocks.count - 1] = .plain
                instruction = .else
            case 0x0B:
                instructions.append(.end)
                offsets.append(start)
                if openBlocks.isEmpty {
                    // Data segment indices only need a data count in code.
                    if !inFunctionBody { usesDataSegmentIndices = usedDataSegmentIndices }
                    return
                }
                openBlocks.removeLast()
                continue
            case 0xFC:
                instruction = try readMiscellaneousInstruction(at: start)
            case 0xFD:
                instruction = try readVectorInstruction(at: start)
            default:
                instruction = try readSingleByteInstruction(opcode, at: start)
            }
            instructions.append(instruction)
            offsets.append(start)
        }
    }

    /// `0x40` (empty), a value type (one byte with 0x40 set), or a type
    /// index as a 33-bit signed LEB128. A negative index cannot name a type;
    /// it is kept (wrapped) so that validation reports "unknown type".
    mutating func readBlockType() throws(DecodeError) -> BlockType {
        guard let byte = reader.peek() else { throw .unexpectedEnd(at: reader.bytes.count) }
        if byte == 0x40 {
            _ = try reader.readByte()
            return .empty
        }
        if byte & 0xC0 == 0x40 { return .value(try readValueType()) }
        return .typeIndex(UInt32(truncatingIfNeeded: try reader.readVarInt33()))
    }

    mutating func readMemoryArgument() throws(DecodeError) -> MemoryArgument {
        let align = try reader.readVarUInt32()
        // Alignment exponents of 32 and above are malformed, not invalid.
        guard align < 32 else { throw .malformedMemopFlags(at: reader.position - 1) }
        return MemoryArgument(align: align, offset: try reader.readVarUInt32())
    }

    private mutating func readSingleByteInstruction(_ opcode: UInt8, at start: Int) throws(DecodeError) -> Instruction {
        switch opcode {
        case 0x00: return .unreachable
        case 0x01: return .nop
        case 0x0C: return .br(try reader.readVarUInt32())
        case 0x0D: return .brIf(try reader.readVarUInt32())
        case 0x0E:
            let count = try reader.readLength()
            var targets: [UInt32] = []
            targets.reserveCapacity(count)
            for _ in 0..<count { targets.append(try reader.readVarUInt32()) }
            return .brTable(targets: targets, default: try reader.readVarUInt32())
        case 0x0F: return .return
        case 0x10: return .call(try reader.readVarUInt32())
        case 0x11:
            let typeIndex = try reader.readVarUInt32()
            return .callIndirect(typeIndex: typeIndex, table: try reader.readVarUInt32())
        case 0x1A: return .drop
        case 0x1B: return .select(nil)
        case 0x1C: return .select(try readValueTypes())
        case 0x20: return .localGet(try reader.readVarUInt32())
        case 0x21: return .localSet(try reader.readVarUInt32())
        case 0x22: return .localTee(try reader.readVarUInt32())
        case 0x23: return .globalGet(try reader.readVarUInt32())
        case 0x24: return .globalSet(try reader.readVarUInt32())
        case 0x25: return .tableGet(try reader.readVarUInt32())
        case 0x26: return .tableSet(try reader.readVarUInt32())
        case 0x28...0x35:
            guard let load = LoadOperator(rawValue: opcode) else { break }
            return .load(load, try readMemoryArgument())
        case 0x36...0x3E:
            guard let store = StoreOperator(rawValue: opcode) else { break }
            return .store(store, try readMemoryArgument())
        case 0x3F:
            try reader.readZeroByte()
            return .memorySize
        case 0x40:
            try reader.readZeroByte()
            return .memoryGrow
        case 0x41: return .i32Const(UInt32(bitPattern: try reader.readVarInt32()))
        case 0x42: return .i64Const(UInt64(bitPattern: try reader.readVarInt64()))
        case 0x43: return .f32Const(bits: try reader.readUInt32LittleEndian())
        case 0x44: return .f64Const(bits: try reader.readUInt64LittleEndian())
        case 0x45...0xC4:
            guard let numeric = NumericOperator(rawValue: UInt16(opcode)) else { break }
            return .numeric(numeric)
        case 0xD0: return .refNull(try readReferenceType())
        case 0xD1: return .refIsNull
        case 0xD2: return .refFunc(try reader.readVarUInt32())
        default: break
        }
        throw .illegalOpcode(opcode, at: start)
    }
}
