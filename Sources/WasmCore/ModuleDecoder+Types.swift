/// Value, reference, table, memory and global types.
extension ModuleDecoder {
    /// A value type. The category of an unknown byte picks the message, as
    /// in the reference decoder: 0x7C and up are number types, 0x71-0x7B
    /// vector types, the rest reference types.
    mutating func readValueType() throws(DecodeError) -> ValueType {
        let start = reader.position
        let code = try reader.readTypeCode()
        if let type = ValueType(rawValue: code) { return type }
        switch code {
        case 0x71...0x7A: throw .malformedVectorType(at: start)
        default: throw .malformedReferenceType(at: start)
        }
    }

    mutating func readReferenceType() throws(DecodeError) -> ValueType {
        let start = reader.position
        let code = try reader.readTypeCode()
        guard let type = ValueType(rawValue: code), type.isReference else {
            throw .malformedReferenceType(at: start)
        }
        return type
    }

    mutating func readValueTypes() throws(DecodeError) -> [ValueType] {
        let count = try reader.readLength()
        var types: [ValueType] = []
        types.reserveCapacity(count)
        for _ in 0..<count { types.append(try readValueType()) }
        return types
    }

    mutating func readFunctionType() throws(DecodeError) -> FunctionType {
        let start = reader.position
        guard try reader.readTypeCode() == 0x60 else { throw .malformedFunctionType(at: start) }
        let parameters = try readValueTypes()
        let results = try readValueTypes()
        return FunctionType(parameters: parameters, results: results)
    }

    /// Limits: a one-bit flag (a LEB128 `vu1`, so 0x02 is "integer too
    /// large") telling whether a maximum follows the minimum.
    mutating func readLimits() throws(DecodeError) -> Limits {
        let hasMaximum = try reader.readUnsignedLEB(bits: 1) == 1
        let min = try reader.readVarUInt32()
        let max = hasMaximum ? try reader.readVarUInt32() : nil
        return Limits(min: min, max: max)
    }

    mutating func readTableType() throws(DecodeError) -> TableType {
        let elementType = try readReferenceType()
        return TableType(elementType: elementType, limits: try readLimits())
    }

    mutating func readGlobalType() throws(DecodeError) -> GlobalType {
        let valueType = try readValueType()
        let start = reader.position
        switch try reader.readByte() {
        case 0: return GlobalType(valueType: valueType, isMutable: false)
        case 1: return GlobalType(valueType: valueType, isMutable: true)
        default: throw .malformedMutability(at: start)
        }
    }
}
