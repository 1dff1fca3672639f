/// The decoded form of a WebAssembly binary module (Wasm 2.0 core).
///
/// Produced by `Module.decode(_:)` (ModuleDecoder.swift), checked by
/// `Module.validate()` (Module+Validate.swift). Pure values: no I/O.

public enum ValueType: UInt8, Hashable, Sendable, CustomStringConvertible {
    case i32 = 0x7F
    case i64 = 0x7E
    case f32 = 0x7D
    case f64 = 0x7C
    case v128 = 0x7B
    case funcref = 0x70
    case externref = 0x6F

    public var isReference: Bool { self == .funcref || self == .externref }

    public var description: String {
        switch self {
        case .i32: "i32"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        case .v128: "v128"
        case .funcref: "funcref"
        case .externref: "externref"
        }
    }
}

public struct FunctionType: Hashable, Sendable {
    public var parameters: [ValueType]
    public var results: [ValueType]
    public init(parameters: [ValueType], results: [ValueType]) {
        self.parameters = parameters
        self.results = results
    }
}

public struct Limits: Hashable, Sendable {
    public var min: UInt32
    public var max: UInt32?
    public init(min: UInt32, max: UInt32?) {
        self.min = min
        self.max = max
    }
}

public struct TableType: Hashable, Sendable {
    public var elementType: ValueType  // funcref or externref
    public var limits: Limits
    public init(elementType: ValueType, limits: Limits) {
        self.elementType = elementType
        self.limits = limits
    }
}

public struct MemoryType: Hashable, Sendable {
    public var limits: Limits  // in 64 KiB pages
    public init(limits: Limits) { self.limits = limits }
}

public struct GlobalType: Hashable, Sendable {
    public var valueType: ValueType
    public var isMutable: Bool
    public init(valueType: ValueType, isMutable: Bool) {
        self.valueType = valueType
        self.isMutable = isMutable
    }
}

public enum ImportDescriptor: Hashable, Sendable {
    case function(typeIndex: UInt32)
    case table(TableType)
    case memory(MemoryType)
    case global(GlobalType)
}

public struct Import: Hashable, Sendable {
    public var module: String
    public var name: String
    public var descriptor: ImportDescriptor
    public init(module: String, name: String, descriptor: ImportDescriptor) {
        self.module = module
        self.name = name
        self.descriptor = descriptor
    }
}

public enum ExportDescriptor: Hashable, Sendable {
    case function(UInt32)
    case table(UInt32)
    case memory(UInt32)
    case global(UInt32)
}

public struct Export: Hashable, Sendable {
    public var name: String
    public var descriptor: ExportDescriptor
    public init(name: String, descriptor: ExportDescriptor) {
        self.name = name
        self.descriptor = descriptor
    }
}

/// A constant expression (global initialisers, segment offsets, element
/// items): the Wasm 2.0 forms, already reduced to one operation.
public enum ConstantExpression: Hashable, Sendable {
    case i32(UInt32)
    case i64(UInt64)
    case f32(bits: UInt32)
    case f64(bits: UInt64)
    case v128(bytes: [UInt8])
    case refNull(ValueType)
    case refFunc(UInt32)
    case globalGet(UInt32)
}

public struct Global: Hashable, Sendable {
    public var type: GlobalType
    public var initializer: ConstantExpression
    public init(type: GlobalType, initializer: ConstantExpression) {
        self.type = type
        self.initializer = initializer
    }
}

public enum ElementMode: Hashable, Sendable {
    case passive
    case active(table: UInt32, offset: ConstantExpression)
    case declarative
}

public struct ElementSegment: Hashable, Sendable {
    public var type: ValueType  // funcref or externref
    /// Each item is `.refFunc(i)`, `.refNull(t)` or `.globalGet(g)`.
    public var items: [ConstantExpression]
    public var mode: ElementMode
    public init(type: ValueType, items: [ConstantExpression], mode: ElementMode) {
        self.type = type
        self.items = items
        self.mode = mode
    }
}

public enum DataMode: Hashable, Sendable {
    case passive
    case active(memory: UInt32, offset: ConstantExpression)
}

public struct DataSegment: Hashable, Sendable {
    public var bytes: [UInt8]
    public var mode: DataMode
    public init(bytes: [UInt8], mode: DataMode) {
        self.bytes = bytes
        self.mode = mode
    }
}

/// A defined function's body.
public struct FunctionBody: Hashable, Sendable {
    /// Declared locals, expanded (parameters not included). The decoder
    /// caps the total (`Module.maxLocals`).
    public var locals: [ValueType]
    /// The instructions, ending with the function's final `.end`.
    public var instructions: [Instruction]
    /// Byte offset in the module of each instruction (same count), for
    /// error messages.
    public var offsets: [Int]
    public init(locals: [ValueType], instructions: [Instruction], offsets: [Int]) {
        self.locals = locals
        self.instructions = instructions
        self.offsets = offsets
    }
}

public struct Module: Hashable, Sendable {
    public var types: [FunctionType] = []
    public var imports: [Import] = []
    /// Type index of each defined (not imported) function.
    public var functionTypeIndices: [UInt32] = []
    public var tables: [TableType] = []
    public var memories: [MemoryType] = []
    public var globals: [Global] = []
    public var exports: [Export] = []
    public var start: UInt32?
    public var elements: [ElementSegment] = []
    public var dataCount: UInt32?
    public var data: [DataSegment] = []
    /// Bodies of the defined functions, in the order of `functionTypeIndices`.
    public var code: [FunctionBody] = []

    /// Constant expressions that are well-formed but not one constant
    /// operation (none, several, or a non-constant one), which the model
    /// above cannot hold: the decoder stores a placeholder in their place
    /// and the validation error here, and `validate()` reports it where the
    /// spec's validator would.
    var invalidConstantExpressions: [ConstantExpressionSite: ValidationError] = [:]
    /// Where the decoder found each entry, for validation errors.
    var entryOffsets = EntryOffsets()

    /// Implementation limit on locals per function (parameters included).
    public static let maxLocals = 50_000

    public init() {}

    /// Function index space: imported functions first, then defined ones.
    public var importedFunctionCount: Int {
        imports.reduce(0) { if case .function = $1.descriptor { $0 + 1 } else { $0 } }
    }
    public var importedGlobalCount: Int {
        imports.reduce(0) { if case .global = $1.descriptor { $0 + 1 } else { $0 } }
    }
    public var importedTableCount: Int {
        imports.reduce(0) { if case .table = $1.descriptor { $0 + 1 } else { $0 } }
    }
    public var importedMemoryCount: Int {
        imports.reduce(0) { if case .memory = $1.descriptor { $0 + 1 } else { $0 } }
    }
}

/// Where a constant expression sits in a module.
enum ConstantExpressionSite: Hashable, Sendable {
    case global(Int)  // in the global index space (imports first)
    case elementOffset(segment: Int)
    case elementItem(segment: Int, item: Int)
    case dataOffset(segment: Int)
}
