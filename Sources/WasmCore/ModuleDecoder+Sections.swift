/// The contents of each known section, in section order.
extension ModuleDecoder {
    mutating func readTypeSection() throws(DecodeError) {
        let count = try reader.readLength()
        module.types.reserveCapacity(count)
        for _ in 0..<count { module.types.append(try readFunctionType()) }
    }

    mutating func readImportSection() throws(DecodeError) {
        let count = try reader.readLength()
        module.imports.reserveCapacity(count)
        for _ in 0..<count {
            module.entryOffsets.imports.append(reader.position)
            let moduleName = try reader.readName()
            let name = try reader.readName()
            let kindStart = reader.position
            let descriptor: ImportDescriptor
            switch try reader.readByte() {
            case 0x00: descriptor = .function(typeIndex: try reader.readVarUInt32())
            case 0x01: descriptor = .table(try readTableType())
            case 0x02: descriptor = .memory(MemoryType(limits: try readLimits()))
            case 0x03: descriptor = .global(try readGlobalType())
            default: throw .malformedImportKind(at: kindStart)
            }
            module.imports.append(Import(module: moduleName, name: name, descriptor: descriptor))
        }
    }

    mutating func readFunctionSection() throws(DecodeError) {
        let count = try reader.readLength()
        module.functionTypeIndices.reserveCapacity(count)
        for _ in 0..<count {
            module.entryOffsets.functions.append(reader.position)
            module.functionTypeIndices.append(try reader.readVarUInt32())
        }
    }

    mutating func readTableSection() throws(DecodeError) {
        let count = try reader.readLength()
        for _ in 0..<count {
            module.entryOffsets.tables.append(reader.position)
            module.tables.append(try readTableType())
        }
    }

    mutating func readMemorySection() throws(DecodeError) {
        let count = try reader.readLength()
        for _ in 0..<count {
            module.entryOffsets.memories.append(reader.position)
            module.memories.append(MemoryType(limits: try readLimits()))
        }
    }

    mutating func readGlobalSection() throws(DecodeError) {
        let count = try reader.readLength()
        module.globals.reserveCapacity(count)
        let importedCount = module.importedGlobalCount
        for index in 0..<count {
            module.entryOffsets.globals.append(reader.position)
            let type = try readGlobalType()
            let initializer = try readConstantExpression(at: .global(importedCount + index))
            module.globals.append(Global(type: type, initializer: initializer))
        }
    }

    mutating func readExportSection() throws(DecodeError) {
        let count = try reader.readLength()
        module.exports.reserveCapacity(count)
        for _ in 0..<count {
            module.entryOffsets.exports.append(reader.position)
            let name = try reader.readName()
            let kindStart = reader.position
            let kind = try reader.readByte()
            let index = try reader.readVarUInt32()
            let descriptor: ExportDescriptor
            switch kind {
            case 0x00: descriptor = .function(index)
            case 0x01: descriptor = .table(index)
            case 0x02: descriptor = .memory(index)
            case 0x03: descriptor = .global(index)
            default: throw .malformedExportKind(at: kindStart)
            }
            module.exports.append(Export(name: name, descriptor: descriptor))
        }
    }

    mutating func readCodeSection() throws(DecodeError) {
        codeCount = try reader.readLength()
        module.code.reserveCapacity(codeCount)
        for index in 0..<codeCount {
            module.code.append(try readFunctionBody(index: index))
        }
    }

    private mutating func readFunctionBody(index: Int) throws(DecodeError) -> FunctionBody {
        let size = try reader.readLength()
        let start = reader.position
        let locals = try readLocals(parameterCount: parameterCount(ofDefinedFunction: index))
        var instructions: [Instruction] = []
        var offsets: [Int] = []
        // A rough guess (about two bytes per instruction) saves most regrowth.
        instructions.reserveCapacity(size / 2 + 1)
        offsets.reserveCapacity(size / 2 + 1)
        try readExpression(into: &instructions, offsets: &offsets, inFunctionBody: true)
        guard reader.position == start + size else { throw .sectionSizeMismatch(at: start) }
        return FunctionBody(locals: locals, instructions: instructions, offsets: offsets)
    }

    /// The declared locals, expanded, after checking the total (parameters
    /// included) against `Module.maxLocals` before allocating anything.
    private mutating func readLocals(parameterCount: Int) throws(DecodeError) -> [ValueType] {
        let start = reader.position
        let groupCount = try reader.readLength()
        var groups: [(count: UInt32, type: ValueType)] = []
        groups.reserveCapacity(groupCount)
        var total = UInt64(parameterCount)
        for _ in 0..<groupCount {
            let count = try reader.readVarUInt32()
            let type = try readValueType()
            total += UInt64(count)
            groups.append((count, type))
        }
        guard total <= UInt64(Module.maxLocals) else { throw .tooManyLocals(at: start) }
        var locals: [ValueType] = []
        locals.reserveCapacity(Int(total) - parameterCount)
        for group in groups {
            locals.append(contentsOf: repeatElement(group.type, count: Int(group.count)))
        }
        return locals
    }

    private func parameterCount(ofDefinedFunction index: Int) -> Int {
        guard index < module.functionTypeIndices.count else { return 0 }
        let typeIndex = Int(module.functionTypeIndices[index])
        return typeIndex < module.types.count ? module.types[typeIndex].parameters.count : 0
    }

    mutating func readDataSection() throws(DecodeError) {
        let count = try reader.readLength()
        module.data.reserveCapacity(count)
        for index in 0..<count {
            module.entryOffsets.data.append(reader.position)
            let kindStart = reader.position
            let mode: DataMode
            switch try reader.readVarUInt32() {
            case 0:
                mode = .active(memory: 0, offset: try readConstantExpression(at: .dataOffset(segment: index)))
            case 1:
                mode = .passive
            case 2:
                let memory = try reader.readVarUInt32()
                mode = .active(memory: memory, offset: try readConstantExpression(at: .dataOffset(segment: index)))
            default:
                throw .malformedDataSegmentKind(at: kindStart)
            }
            let length = try reader.readLength()
            let bytes = try reader.readBytes(length)
            module.data.append(DataSegment(bytes: Array(bytes), mode: mode))
        }
    }
}
