/// The index spaces a module's code is checked against (imports first,
/// then definitions), built once per `validate()`.
struct ValidationContext {
    let types: [FunctionType]
    /// Type index of every function; each is checked before any code is.
    let functionTypeIndices: [UInt32]
    let tables: [TableType]
    let memories: [MemoryType]
    let globals: [GlobalType]
    let importedGlobalCount: Int
    let elementTypes: [ValueType]
    let dataSegmentCount: Int
    /// Functions that `ref.func` may name inside function bodies: those
    /// referenced from globals, element segments or exports.
    let declaredFunctionReferences: [Bool]

    init(_ module: Module) {
        var functionTypeIndices: [UInt32] = []
        var tables: [TableType] = []
        var memories: [MemoryType] = []
        var globals: [GlobalType] = []
        for entry in module.imports {
            switch entry.descriptor {
            case .function(let typeIndex): functionTypeIndices.append(typeIndex)
            case .table(let type): tables.append(type)
            case .memory(let type): memories.append(type)
            case .global(let type): globals.append(type)
            }
        }
        importedGlobalCount = globals.count
        functionTypeIndices += module.functionTypeIndices
        tables += module.tables
        memories += module.memories
        globals += module.globals.map(\.type)

        types = module.types
        self.functionTypeIndices = functionTypeIndices
        self.tables = tables
        self.memories = memories
        self.globals = globals
        elementTypes = module.elements.map(\.type)
        dataSegmentCount = module.data.count
        declaredFunctionReferences = Self.referencedFunctions(module, functionCount: functionTypeIndices.count)
    }

    private static func referencedFunctions(_ module: Module, functionCount: Int) -> [Bool] {
        var declared = [Bool](repeating: false, count: functionCount)
        func mark(_ expression: ConstantExpression) {
            if case .refFunc(let index) = expression, Int(index) < functionCount { declared[Int(index)] = true }
        }
        for global in module.globals { mark(global.initializer) }
        for segment in module.elements {
            segment.items.forEach(mark)
            if case .active(_, let offset) = segment.mode { mark(offset) }
        }
        for export in module.exports {
            if case .function(let index) = export.descriptor, Int(index) < functionCount { declared[Int(index)] = true }
        }
        return declared
    }

    // Lookups, each failing with the spec's "unknown <space> <index>".

    func type(_ index: UInt32) throws(ValidationError) -> FunctionType {
        guard Int(index) < types.count else { throw .unknownType(index) }
        return types[Int(index)]
    }

    /// The type of function `index`. Its type index was checked first.
    func functionType(_ index: UInt32) throws(ValidationError) -> FunctionType {
        guard Int(index) < functionTypeIndices.count else { throw .unknownFunction(index) }
        return try type(functionTypeIndices[Int(index)])
    }

    func table(_ index: UInt32) throws(ValidationError) -> TableType {
        guard Int(index) < tables.count else { throw .unknownTable(index) }
        return tables[Int(index)]
    }

    func memory(_ index: UInt32) throws(ValidationError) -> MemoryType {
        guard Int(index) < memories.count else { throw .unknownMemory(index) }
        return memories[Int(index)]
    }

    func global(_ index: UInt32) throws(ValidationError) -> GlobalType {
        guard Int(index) < globals.count else { throw .unknownGlobal(index) }
        return globals[Int(index)]
    }

    func elementType(_ index: UInt32) throws(ValidationError) -> ValueType {
        guard Int(index) < elementTypes.count else { throw .unknownElementSegment(index) }
        return elementTypes[Int(index)]
    }

    func checkDataSegment(_ index: UInt32) throws(ValidationError) {
        guard Int(index) < dataSegmentCount else { throw .unknownDataSegment(index) }
    }
}
