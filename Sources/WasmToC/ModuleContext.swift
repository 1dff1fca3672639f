import WasmCore

/// What every part of the emitter needs to know about the module, resolved
/// and checked once: function signatures and C names, canonical signature
/// ids, tables, and which functions can run at all.
struct ModuleContext {
    let module: Module
    let options: LoweringOptions
    /// Signature of every function, imported ones first (function index space).
    let functionTypes: [FunctionType]
    /// C symbol of every function: `mewz_wasi_NAME` or `f<index>`.
    let functionNames: [String]
    let importedFunctionCount: Int
    /// Type index of every function (function index space).
    let functionTypeIndices: [UInt32]
    /// Canonical signature id of each type index: structurally equal types
    /// share an id, ids start at 1 (0 never matches: null entries).
    let signatureIDs: [Int]
    /// The type of each canonical id, at index id - 1.
    let canonicalTypes: [FunctionType]
    /// Entries each table can hold: the minimum, or more when the module
    /// grows it (bounded by its maximum and `maxTableCapacity`).
    let tableCapacities: [UInt32]
    /// Defined functions reachable from the roots (exports the host calls,
    /// the start function, tables, ref.func), by function index.
    let liveFunctions: Set<Int>
    /// Defined functions on a cycle of direct calls (CallGraph).
    let recursiveFunctions: Set<Int>
    /// The function `mewz_module_main` calls, when there is one.
    let entryFunction: Int?

    /// Tables are static arrays: a bigger declared minimum is refused.
    static let maxTableElements: UInt32 = 1 << 20
    /// Room kept for table.grow when the table declares no smaller maximum.
    static let growableTableElements: UInt32 = 1 << 16

    var splitsTranslationUnits: Bool { options.translationUnits > 1 }

    init(module: Module, options: LoweringOptions) throws(LoweringError) {
        self.module = module
        self.options = options
        try Self.checkUnsupportedImports(module, allowHostImports: options.hostImportPrefix != nil)
        try Self.checkValueTypes(module)
        if module.memories.count + module.importedMemoryCount > 1 { throw .unsupportedFeature("multiple memories") }

        var ids: [FunctionType: Int] = [:]
        var canonical: [FunctionType] = []
        signatureIDs = module.types.map { type in
            if let id = ids[type] { return id }
            canonical.append(type)
            ids[type] = canonical.count
            return canonical.count
        }
        canonicalTypes = canonical

        var types: [FunctionType] = []
        var names: [String] = []
        var typeIndices: [UInt32] = []
        for entry in module.imports {
            guard case .function(let typeIndex) = entry.descriptor else { continue }
            let type = try Self.type(module, typeIndex)
            types.append(type)
            names.append(entry.module == WASIImports.module
                ? WASIImports.resolve(entry.name, type)?.symbol ?? WASIImports.symbol(entry.name)
                : HostImports.symbol(prefix: options.hostImportPrefix ?? "", module: entry.module, name: entry.name))
            typeIndices.append(typeIndex)
        }
        importedFunctionCount = types.count
        guard module.code.count == module.functionTypeIndices.count else {
            throw .invalidModule("\(module.functionTypeIndices.count) functions but \(module.code.count) bodies")
        }
        for (defined, typeIndex) in module.functionTypeIndices.enumerated() {
            types.append(try Self.type(module, typeIndex))
            names.append("f\(importedFunctionCount + defined)")
            typeIndices.append(typeIndex)
        }
        functionTypes = types
        functionTypeIndices = typeIndices
        functionNames = names

        tableCapacities = try Self.tableCapacities(module)
        entryFunction = try Self.entryFunction(module, types: types, options: options)
        if let start = module.start {
            guard Int(start) < types.count else { throw .invalidModule("start function \(start) out of range") }
            guard types[Int(start)] == FunctionType(parameters: [], results: []) else {
                throw .invalidModule("start function \(start) is not [] -> []")
            }
        }
        recursiveFunctions = CallGraph.recursiveFunctions(module, importedCount: importedFunctionCount)
        liveFunctions = Self.liveFunctions(module, entry: entryFunction, options: options,
                                           importedCount: importedFunctionCount)
    }

    /// The canonical signature id of a type index, nil when out of range.
    func signatureID(typeIndex: UInt32) -> Int? {
        Int(typeIndex) < signatureIDs.count ? signatureIDs[Int(typeIndex)] : nil
    }

    /// The canonical signature id of a function's type.
    func signatureID(function: Int) -> Int? {
        guard function >= 0, function < functionTypeIndices.count else { return nil }
        return signatureID(typeIndex: functionTypeIndices[function])
    }

    /// Parameter and result types of a block type.
    func blockSignature(_ type: BlockType) -> FunctionType? {
        switch type {
        case .empty: FunctionType(parameters: [], results: [])
        case .value(let value): FunctionType(parameters: [], results: [value])
        case .typeIndex(let index):
            Int(index) < module.types.count ? module.types[Int(index)] : nil
        }
    }

    /// Result lists of more than one value, which need a C struct.
    var resultStructs: [[ValueType]] {
        var seen: Set<[ValueType]> = []
        var lists: [[ValueType]] = []
        for type in module.types where type.results.count > 1 && seen.insert(type.results).inserted {
            lists.append(type.results)
        }
        return lists
    }

    // MARK: Checks

    private static func type(_ module: Module, _ index: UInt32) throws(LoweringError) -> FunctionType {
        guard Int(index) < module.types.count else { throw .invalidModule("type index \(index) out of range") }
        return module.types[Int(index)]
    }

    /// Every function import must be a wasi.h function with its exact
    /// signature; all offenders are reported together.
    private static func checkUnsupportedImports(_ module: Module, allowHostImports: Bool) throws(LoweringError) {
        var missing: [String] = []
        for entry in module.imports {
            guard case .function(let typeIndex) = entry.descriptor else { continue }
            if allowHostImports && entry.module != WASIImports.module { continue }
            let name = "\(entry.module).\(entry.name)"
            guard entry.module == WASIImports.module, let expected = WASIImports.expectedType(entry.name) else {
                missing.append(name)
                continue
            }
            let actual = Int(typeIndex) < module.types.count ? module.types[Int(typeIndex)] : nil
            if actual.flatMap({ WASIImports.resolve(entry.name, $0) }) == nil {
                let shown = actual.map(describe) ?? "type \(typeIndex)"
                missing.append("\(name) (signature \(shown), expected \(describe(expected)))")
            }
        }
        if !missing.isEmpty { throw .missingImports(missing) }
        if allowHostImports { return }
        for entry in module.imports {
            let kind: String
            switch entry.descriptor {
            case .function: continue
            case .table: kind = "table"
            case .memory: kind = "memory"
            case .global: kind = "global"
            }
            throw .unsupportedFeature("imported \(kind) \(entry.module).\(entry.name)")
        }
    }

    static func describe(_ type: FunctionType) -> String {
        "(\(type.parameters.map(\.description).joined(separator: ", "))) -> (\(type.results.map(\.description).joined(separator: ", ")))"
    }

    /// Tables and element segments hold references (`wc_funcref`).
    private static func checkValueTypes(_ module: Module) throws(LoweringError) {
        func check(_ type: ValueType) throws(LoweringError) {
            guard type.isReference else { throw .invalidModule("a table or element segment of \(type)") }
        }
        for case .table(let type) in module.imports.map(\.descriptor) { try check(type.elementType) }
        for table in module.tables { try check(table.elementType) }
        for segment in module.elements { try check(segment.type) }
    }

    private static func tableCapacities(_ module: Module) throws(LoweringError) -> [UInt32] {
        var grown: Set<UInt32> = []
        for body in module.code {
            for case .tableGrow(let table) in body.instructions { grown.insert(table) }
        }
        var capacities: [UInt32] = []
        for (index, table) in module.tables.enumerated() {
            let limits = table.limits
            guard limits.min <= maxTableElements else {
                throw .unsupportedFeature("table of \(limits.min) elements (at most \(maxTableElements))")
            }
            var capacity = limits.min
            // table.grow names the table index space, imported tables first.
            if grown.contains(UInt32(module.importedTableCount + index)) {
                capacity = Swift.max(limits.min, Swift.min(limits.max ?? UInt32.max, growableTableElements))
            }
            capacities.append(capacity)
        }
        return capacities
    }

    /// The "_start" export, which must be a [] -> [] function; optional when
    /// exports get C symbols (a library-style module run by a harness).
    private static func entryFunction(_ module: Module, types: [FunctionType],
                                      options: LoweringOptions) throws(LoweringError) -> Int? {
        guard let export = module.exports.first(where: { $0.name == "_start" }) else {
            if options.exportPrefix != nil { return nil }
            throw .unsupportedFeature("no \"_start\" export (not a WASI command)")
        }
        guard case .function(let index) = export.descriptor, Int(index) < types.count,
              types[Int(index)] == FunctionType(parameters: [], results: [])
        else { throw .unsupportedFeature("\"_start\" export is not a function of type () -> ()") }
        return Int(index)
    }

    private static func liveFunctions(_ module: Module, entry: Int?, options: LoweringOptions,
                                      importedCount: Int) -> Set<Int> {
        var pending: [Int] = []
        if let entry { pending.append(entry) }
        if let start = module.start { pending.append(Int(start)) }
        if options.exportPrefix != nil {
            for case .function(let index) in module.exports.map(\.descriptor) { pending.append(Int(index)) }
        }
        for segment in module.elements {
            for case .refFunc(let index) in segment.items { pending.append(Int(index)) }
        }
        for case .refFunc(let index) in module.globals.map(\.initializer) { pending.append(Int(index)) }

        var live: Set<Int> = []
        while let function = pending.popLast() {
            guard live.insert(function).inserted else { continue }
            let defined = function - importedCount
            guard defined >= 0, defined < module.code.count else { continue }
            for instruction in module.code[defined].instructions {
                switch instruction {
                case .call(let callee), .refFunc(let callee): pending.append(Int(callee))
                default: break
                }
            }
        }
        return live
    }
}

extension ModuleContext {
    /// `{sig, (wc_fn)name}`: a funcref initialiser for function `index`.
    func functionReference(_ index: Int) -> String? {
        guard index >= 0, index < functionNames.count, let signature = signatureID(function: index) else { return nil }
        return "{\(signature)u, (wc_fn)\(functionNames[index])}"
    }
}
