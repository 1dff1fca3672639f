import WasmCore
import WasmToC

/// Builds `Module` values by hand, concisely. Imports must come before
/// defined functions (function indices are handed out in order).
struct ModuleBuilder {
    var module = Module()

    /// The index of a function type, added once.
    mutating func type(_ parameters: [ValueType], _ results: [ValueType]) -> UInt32 {
        let type = FunctionType(parameters: parameters, results: results)
        if let index = module.types.firstIndex(of: type) { return UInt32(index) }
        module.types.append(type)
        return UInt32(module.types.count - 1)
    }

    /// Imports a function (any module/name/type: the lowering decides).
    @discardableResult
    mutating func importFunction(_ moduleName: String, _ name: String, _ parameters: [ValueType],
                                 _ results: [ValueType]) -> UInt32 {
        precondition(module.functionTypeIndices.isEmpty, "imports first")
        let typeIndex = type(parameters, results)
        module.imports.append(Import(module: moduleName, name: name, descriptor: .function(typeIndex: typeIndex)))
        return UInt32(module.importedFunctionCount - 1)
    }

    /// A supported WASI import with its wasi.h signature.
    @discardableResult
    mutating func importWASI(_ name: String) -> UInt32 {
        let type = WASIImports.supported[name] ?? FunctionType(parameters: [], results: [])
        return importFunction(WASIImports.module, name, type.parameters, type.results)
    }

    /// Defines a function; `body` without the final `end`. Exported under
    /// `export` when given.
    @discardableResult
    mutating func function(_ parameters: [ValueType], _ results: [ValueType], locals: [ValueType] = [],
                           export: String? = nil, _ body: [Instruction]) -> UInt32 {
        let typeIndex = type(parameters, results)
        module.functionTypeIndices.append(typeIndex)
        let instructions = body + [.end]
        module.code.append(FunctionBody(locals: locals, instructions: instructions,
                                        offsets: instructions.indices.map { 0x100 + $0 }))
        let index = UInt32(module.importedFunctionCount + module.code.count - 1)
        if let export { module.exports.append(Export(name: export, descriptor: .function(index))) }
        return index
    }

    mutating func memory(_ min: UInt32, _ max: UInt32? = nil) {
        module.memories.append(MemoryType(limits: Limits(min: min, max: max)))
    }

    mutating func data(at offset: UInt32, _ bytes: [UInt8]) {
        module.data.append(DataSegment(bytes: bytes, mode: .active(memory: 0, offset: .i32(offset))))
    }

    mutating func data(at offset: UInt32, _ text: String) { data(at: offset, Array(text.utf8)) }

    @discardableResult
    mutating func passiveData(_ bytes: [UInt8]) -> UInt32 {
        module.data.append(DataSegment(bytes: bytes, mode: .passive))
        return UInt32(module.data.count - 1)
    }

    @discardableResult
    mutating func table(_ min: UInt32, _ max: UInt32? = nil) -> UInt32 {
        module.tables.append(TableType(elementType: .funcref, limits: Limits(min: min, max: max)))
        return UInt32(module.tables.count - 1)
    }

    /// An active element segment of functions (nil: null) at `offset`.
    mutating func elements(table: UInt32 = 0, at offset: UInt32, _ functions: [UInt32?]) {
        module.elements.append(ElementSegment(
            type: .funcref, items: functions.map { $0.map(ConstantExpression.refFunc) ?? .refNull(.funcref) },
            mode: .active(table: table, offset: .i32(offset))))
    }

    @discardableResult
    mutating func passiveElements(_ functions: [UInt32?]) -> UInt32 {
        module.elements.append(ElementSegment(
            type: .funcref, items: functions.map { $0.map(ConstantExpression.refFunc) ?? .refNull(.funcref) },
            mode: .passive))
        return UInt32(module.elements.count - 1)
    }

    @discardableResult
    mutating func global(_ type: ValueType, mutable: Bool, _ initializer: ConstantExpression) -> UInt32 {
        module.globals.append(Global(type: GlobalType(valueType: type, isMutable: mutable), initializer: initializer))
        return UInt32(module.globals.count - 1)
    }

    mutating func export(_ name: String, function: UInt32) {
        module.exports.append(Export(name: name, descriptor: .function(function)))
    }
}

/// Shorthands for instruction lists.
extension Instruction {
    static func op(_ op: NumericOperator) -> Instruction { .numeric(op) }
    static func i32(_ value: Int32) -> Instruction { .i32Const(UInt32(bitPattern: value)) }
    static func i64(_ value: Int64) -> Instruction { .i64Const(UInt64(bitPattern: value)) }
    static func f32(_ value: Float) -> Instruction { .f32Const(bits: value.bitPattern) }
    static func f64(_ value: Double) -> Instruction { .f64Const(bits: value.bitPattern) }
    static func get(_ index: UInt32) -> Instruction { .localGet(index) }
    static func set(_ index: UInt32) -> Instruction { .localSet(index) }
}

extension ModuleBuilder {
    /// Exports `op` applied to the function's parameters, named after the
    /// operator's case (e.g. "i32DivS").
    mutating func exportOperator(_ op: NumericOperator) {
        let (operands, result) = op.signature
        function(operands, [result], export: "\(op)",
                 operands.indices.map { .localGet(UInt32($0)) } + [.numeric(op)])
    }

    /// One module exporting every listed operator.
    static func operators(_ ops: [NumericOperator]) -> Module {
        var builder = ModuleBuilder()
        for op in ops { builder.exportOperator(op) }
        return builder.module
    }
}
