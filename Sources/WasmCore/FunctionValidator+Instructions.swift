/// The typing rule of each instruction. Index lookups come before any
/// operand is popped, as in the reference validator, so a fault in both
/// reports "unknown ..." like the spec suite expects.
extension FunctionValidator {
    mutating func check(_ instruction: Instruction) throws(ValidationError) {
        switch instruction {
        case .unreachable: markUnreachable()
        case .nop: break
        case .block(let type):
            let (parameters, results) = try blockTypes(type)
            try pop(parameters)
            pushFrame(.block, parameters: parameters, results: results)
        case .loop(let type):
            let (parameters, results) = try blockTypes(type)
            try pop(parameters)
            pushFrame(.loop, parameters: parameters, results: results)
        case .if(let type):
            let (parameters, results) = try blockTypes(type)
            try pop(.i32)
            try pop(parameters)
            pushFrame(.if, parameters: parameters, results: results)
        case .else:
            guard frames.last?.kind == .if else {
                throw ValidationError.malformedControlStructure("else outside an if")
            }
            let frame = try popFrame()
            pushFrame(.else, parameters: frame.parameters, results: frame.results)
        case .end:
            let frame = try popFrame()
            // Without an else, the missing branch passes its parameters through.
            if frame.kind == .if && frame.parameters != frame.results {
                throw ValidationError.typeMismatch(
                    expected: "an else branch producing \(describe(frame.results))",
                    found: "an if without else")
            }
            push(frame.results)
        case .br(let depth):
            try pop(try label(depth).labelTypes)
            markUnreachable()
        case .brIf(let depth):
            let types = try label(depth).labelTypes
            try pop(.i32)
            try pop(types)
            push(types)
        case .brTable(let targets, let defaultTarget):
            try checkBranchTable(targets: targets, default: defaultTarget)
        case .return:
            try pop(frames[0].results)
            markUnreachable()
        case .call(let function):
            let type = try context.functionType(function)
            try pop(type.parameters)
            push(type.results)
        case .callIndirect(let typeIndex, let tableIndex):
            let table = try context.table(tableIndex)
            let type = try context.type(typeIndex)
            guard table.elementType == .funcref else {
                throw ValidationError.typeMismatch(
                    expected: "a funcref table", found: "table \(tableIndex) of \(table.elementType)")
            }
            try pop(.i32)
            try pop(type.parameters)
            push(type.results)

        case .refNull(let type):
            guard type.isReference else { throw ValidationError.notAReferenceType(type) }
            push(type)
        case .refIsNull:
            if let type = try pop(), !type.isReference { throw ValidationError.notAReferenceType(type) }
            push(.i32)
        case .refFunc(let function):
            _ = try context.functionType(function)
            guard context.declaredFunctionReferences[Int(function)] else {
                throw ValidationError.undeclaredFunctionReference(function)
            }
            push(.funcref)

        case .drop: _ = try pop()
        case .select(let types): try checkSelect(types)

        case .localGet(let index): push(try localType(index))
        case .localSet(let index): try pop(try localType(index))
        case .localTee(let index):
            let type = try localType(index)
            try pop(type)
            push(type)
        case .globalGet(let index): push(try context.global(index).valueType)
        case .globalSet(let index):
            let global = try context.global(index)
            guard global.isMutable else { throw ValidationError.globalIsImmutable(index) }
            try pop(global.valueType)

        case .tableGet, .tableSet, .tableInit, .elemDrop, .tableCopy, .tableGrow, .tableSize, .tableFill:
            try checkTableInstruction(instruction)

        case .load(let load, let memoryArgument):
            try checkMemoryAccess(memoryArgument, width: load.width)
            try pop(.i32)
            push(load.resultType)
        case .store(let store, let memoryArgument):
            try checkMemoryAccess(memoryArgument, width: store.width)
            try pop(store.valueType)
            try pop(.i32)
        case .memorySize:
            _ = try context.memory(0)
            push(.i32)
        case .memoryGrow:
            _ = try context.memory(0)
            try pop(.i32)
            push(.i32)
        case .memoryInit(let segment):
            _ = try context.memory(0)
            try context.checkDataSegment(segment)
            try popThreeI32()
        case .dataDrop(let segment):
            try context.checkDataSegment(segment)
        case .memoryCopy, .memoryFill:
            _ = try context.memory(0)
            try popThreeI32()

        case .i32Const: push(.i32)
        case .i64Const: push(.i64)
        case .f32Const: push(.f32)
        case .f64Const: push(.f64)
        case .numeric(let numeric):
            let typing = numericTypings.of(numeric)
            try pop(typing.operand)
            if typing.isBinary { try pop(typing.operand) }
            push(typing.result)

        case .vector(let vector): try checkVector(vector)
        }
    }

    private func blockTypes(_ type: BlockType) throws(ValidationError) -> ([ValueType], [ValueType]) {
        switch type {
        case .empty: return (BlockTypeLists.empty, BlockTypeLists.empty)
        case .value(let result): return (BlockTypeLists.empty, BlockTypeLists.single(result))
        case .typeIndex(let index):
            let type = try context.type(index)
            return (type.parameters, type.results)
        }
    }

    /// Every target must take the same number of values as the default,
    /// and the operands must fit each target's types.
    private mutating func checkBranchTable(targets: [UInt32], default defaultTarget: UInt32) throws(ValidationError) {
        let defaultTypes = try label(defaultTarget).labelTypes
        for target in targets { _ = try label(target) }
        try pop(.i32)
        for target in targets {
            let types = try label(target).labelTypes
            guard types.count == defaultTypes.count else {
                throw ValidationError.typeMismatch(
                    expected: "br_table target \(target) to take \(defaultTypes.count) values like the default",
                    found: "\(types.count)")
            }
            try checkTop(types)
        }
        try pop(defaultTypes)
        markUnreachable()
    }

    /// `select` without types only chooses between numbers or vectors;
    /// `select t` takes exactly one type.
    private mutating func checkSelect(_ types: [ValueType]?) throws(ValidationError) {
        if let types {
            guard types.count == 1 else { throw ValidationError.invalidResultArity(types.count) }
            try pop(.i32)
            try pop(types[0])
            try pop(types[0])
            push(types[0])
            return
        }
        try pop(.i32)
        let first = try pop()
        let second = try pop()
        for case let type? in [first, second] where type.isReference {
            throw ValidationError.typeMismatch(expected: "a numeric or vector operand for select", found: "\(type)")
        }
        if let first, let second, first != second {
            throw ValidationError.typeMismatch(expected: "\(second)", found: "\(first)")
        }
        push(first ?? second)
    }

    private mutating func checkTableInstruction(_ instruction: Instruction) throws(ValidationError) {
        switch instruction {
        case .tableGet(let index):
            let table = try context.table(index)
            try pop(.i32)
            push(table.elementType)
        case .tableSet(let index):
            let table = try context.table(index)
            try pop(table.elementType)
            try pop(.i32)
        case .tableInit(let element, let index):
            let table = try context.table(index)
            let elementType = try context.elementType(element)
            guard table.elementType == elementType else {
                throw ValidationError.typeMismatch(expected: "\(table.elementType) elements", found: "\(elementType)")
            }
            try popThreeI32()
        case .elemDrop(let element):
            _ = try context.elementType(element)
        case .tableCopy(let destination, let source):
            let destinationTable = try context.table(destination)
            let sourceTable = try context.table(source)
            guard destinationTable.elementType == sourceTable.elementType else {
                throw ValidationError.typeMismatch(
                    expected: "\(destinationTable.elementType) elements", found: "\(sourceTable.elementType)")
            }
            try popThreeI32()
        case .tableGrow(let index):
            let table = try context.table(index)
            try pop(.i32)
            try pop(table.elementType)
            push(.i32)
        case .tableSize(let index):
            _ = try context.table(index)
            push(.i32)
        case .tableFill(let index):
            let table = try context.table(index)
            try pop(.i32)
            try pop(table.elementType)
            try pop(.i32)
        default:
            break
        }
    }

    /// A load or store needs memory 0 and an alignment hint no larger than
    /// the access width.
    func checkMemoryAccess(_ argument: MemoryArgument, width: Int) throws(ValidationError) {
        _ = try context.memory(0)
        guard argument.align < 8, 1 << Int(argument.align) <= width else {
            throw ValidationError.alignmentTooLarge(align: argument.align, natural: width)
        }
    }

    private mutating func popThreeI32() throws(ValidationError) {
        try pop(.i32)
        try pop(.i32)
        try pop(.i32)
    }

    private func describe(_ types: [ValueType]) -> String {
        "[" + types.map(\.description).joined(separator: " ") + "]"
    }
}

/// The operand and result types of a numeric operator: every operand of
/// one operator has the same type, and there are one or two.
struct NumericTyping: Equatable {
    let operand: ValueType
    let isBinary: Bool
    let result: ValueType
}

/// `NumericOperator.signature` as a table, built once per validator: the
/// signature's arrays would cost an allocation per instruction.
struct NumericTypingTable {
    private let singleByte: [NumericTyping]  // opcodes 0x45...0xC4
    private let prefixed: [NumericTyping]  // 0xFC 0...7

    init() {
        let all = NumericOperator.allCases.sorted { $0.rawValue < $1.rawValue }
        singleByte = all.filter { $0.rawValue < 0xFC00 }.map(Self.typing)
        prefixed = all.filter { $0.rawValue >= 0xFC00 }.map(Self.typing)
    }

    /// Both opcode ranges are contiguous, so the raw value is the index.
    func of(_ numeric: NumericOperator) -> NumericTyping {
        let raw = Int(numeric.rawValue)
        return raw >= 0xFC00 ? prefixed[raw - 0xFC00] : singleByte[raw - 0x45]
    }

    private static func typing(_ numeric: NumericOperator) -> NumericTyping {
        let signature = numeric.signature
        return NumericTyping(
            operand: signature.operands.first ?? signature.result,
            isBinary: signature.operands.count == 2,
            result: signature.result)
    }
}
