/// The element section: the eight segment encodings of Wasm 2.0.
extension ModuleDecoder {
    mutating func readElementSection() throws(DecodeError) {
        let count = try reader.readLength()
        module.elements.reserveCapacity(count)
        for index in 0..<count {
            module.entryOffsets.elements.append(reader.position)
            module.elements.append(try readElementSegment(index: index))
        }
    }

    /// Bit 0: passive or declarative (else active); bit 1: an explicit
    /// table index (active) or declarative (otherwise); bit 2: items are
    /// expressions with a reference type (else function indices with an
    /// element kind). Kinds 0 and 4 have neither table index nor type.
    private mutating func readElementSegment(index: Int) throws(DecodeError) -> ElementSegment {
        let kindStart = reader.position
        let kind = try reader.readVarUInt32()
        guard kind <= 7 else { throw .malformedElementSegmentKind(at: kindStart) }
        let isActive = kind & 1 == 0
        let hasTableAndType = kind & 2 != 0
        let usesExpressions = kind & 4 != 0

        let mode: ElementMode
        if isActive {
            let table = hasTableAndType ? try reader.readVarUInt32() : 0
            let offset = try readConstantExpression(at: .elementOffset(segment: index))
            mode = .active(table: table, offset: offset)
        } else {
            mode = hasTableAndType ? .declarative : .passive
        }

        let type: ValueType
        if isActive && !hasTableAndType {
            type = .funcref
        } else if usesExpressions {
            type = try readReferenceType()
        } else {
            type = try readElementKind()
        }

        let itemCount = try reader.readLength()
        var items: [ConstantExpression] = []
        items.reserveCapacity(itemCount)
        for item in 0..<itemCount {
            if usesExpressions {
                items.append(try readConstantExpression(at: .elementItem(segment: index, item: item)))
            } else {
                items.append(.refFunc(try reader.readVarUInt32()))
            }
        }
        return ElementSegment(type: type, items: items, mode: mode)
    }

    /// The element kind of the function-index encodings: only 0x00 (funcref).
    private mutating func readElementKind() throws(DecodeError) -> ValueType {
        let start = reader.position
        guard try reader.readByte() == 0x00 else { throw .malformedElementKind(at: start) }
        return .funcref
    }
}
