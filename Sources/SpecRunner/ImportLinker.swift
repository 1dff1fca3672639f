import WasmCore

/// What an export provides, for matching an import against it (the
/// spec's import subtyping: equal function and global types, table and
/// memory limits at least as wide as required).
enum ExternType {
    case function(FunctionType)
    case table(TableType)
    case memory(MemoryType)
    case global(GlobalType)

    /// The `spectest` host module (README of the suite).
    static let spectest: [String: ExternType] = [
        "print": .function(FunctionType(parameters: [], results: [])),
        "print_i32": .function(FunctionType(parameters: [.i32], results: [])),
        "print_i64": .function(FunctionType(parameters: [.i64], results: [])),
        "print_f32": .function(FunctionType(parameters: [.f32], results: [])),
        "print_f64": .function(FunctionType(parameters: [.f64], results: [])),
        "print_i32_f32": .function(FunctionType(parameters: [.i32, .f32], results: [])),
        "print_f64_f64": .function(FunctionType(parameters: [.f64, .f64], results: [])),
        "global_i32": .global(GlobalType(valueType: .i32, isMutable: false)),
        "global_i64": .global(GlobalType(valueType: .i64, isMutable: false)),
        "global_f32": .global(GlobalType(valueType: .f32, isMutable: false)),
        "global_f64": .global(GlobalType(valueType: .f64, isMutable: false)),
        "table": .table(TableType(elementType: .funcref, limits: Limits(min: 10, max: 20))),
        "memory": .memory(MemoryType(limits: Limits(min: 1, max: 2))),
    ]

    /// The type of export `name` of a module, nil when there is none.
    static func export(_ name: String, of module: Module) -> ExternType? {
        guard let export = module.exports.first(where: { $0.name == name }) else { return nil }
        var functions: [UInt32] = [], tables: [TableType] = [], memories: [MemoryType] = [], globals: [GlobalType] = []
        for entry in module.imports {
            switch entry.descriptor {
            case .function(let type): functions.append(type)
            case .table(let type): tables.append(type)
            case .memory(let type): memories.append(type)
            case .global(let type): globals.append(type)
            }
        }
        functions += module.functionTypeIndices
        tables += module.tables
        memories += module.memories
        globals += module.globals.map(\.type)
        func at<T>(_ list: [T], _ index: UInt32) -> T? { Int(index) < list.count ? list[Int(index)] : nil }
        switch export.descriptor {
        case .function(let index):
            guard let typeIndex = at(functions, index), let type = at(module.types, typeIndex) else { return nil }
            return .function(type)
        case .table(let index): return at(tables, index).map { .table($0) }
        case .memory(let index): return at(memories, index).map { .memory($0) }
        case .global(let index): return at(globals, index).map { .global($0) }
        }
    }

    /// Whether this export satisfies an import declared as `descriptor`
    /// (optionally leaving the minimum size aside: a table or memory can
    /// have grown since it was declared).
    func satisfies(_ descriptor: ImportDescriptor, in module: Module, ignoringMinimum: Bool = false) -> Bool {
        switch (self, descriptor) {
        case (.function(let actual), .function(let typeIndex)):
            return Int(typeIndex) < module.types.count && module.types[Int(typeIndex)] == actual
        case (.table(let actual), .table(let expected)):
            return actual.elementType == expected.elementType
                && Self.limits(actual.limits, fit: expected.limits, ignoringMinimum: ignoringMinimum)
        case (.memory(let actual), .memory(let expected)):
            return Self.limits(actual.limits, fit: expected.limits, ignoringMinimum: ignoringMinimum)
        case (.global(let actual), .global(let expected)):
            return actual == expected
        default:
            return false
        }
    }

    private static func limits(_ actual: Limits, fit expected: Limits, ignoringMinimum: Bool) -> Bool {
        guard ignoringMinimum || actual.min >= expected.min else { return false }
        guard let expectedMax = expected.max else { return true }
        guard let actualMax = actual.max else { return false }
        return actualMax <= expectedMax
    }
}

/// Why a module cannot be linked, as the suite words it.
enum LinkFailure: Error {
    case unknownImport(String)
    case incompatibleImportType(String)

    var text: String {
        switch self {
        case .unknownImport(let name): "unknown import \(name)"
        case .incompatibleImportType(let name): "incompatible import type \(name)"
        }
    }
}

enum ImportLinker {
    /// Checks every import against `spectest` and the registered modules.
    /// Returns the imports of a registered table or memory that fit only if
    /// it has grown past its declared minimum: the host checks their
    /// current size at instantiation.
    static func link(_ module: Module, registered: [String: Module]) throws(LinkFailure) -> [Import] {
        var deferred: [Import] = []
        for entry in module.imports {
            let name = "\"\(entry.module)\".\"\(entry.name)\""
            let provided: ExternType?
            if entry.module == "spectest" {
                provided = ExternType.spectest[entry.name]
            } else if let exporter = registered[entry.module] {
                provided = ExternType.export(entry.name, of: exporter)
            } else {
                throw .unknownImport(name)
            }
            guard let provided else { throw .unknownImport(name) }
            if provided.satisfies(entry.descriptor, in: module) { continue }
            guard entry.module != "spectest", provided.satisfies(entry.descriptor, in: module, ignoringMinimum: true)
            else { throw .incompatibleImportType(name) }
            deferred.append(entry)
        }
        return deferred
    }
}
