import WasmCore

/// Lowers one defined function to a C function definition.
///
/// Wasm operand-stack values live in C variables named by stack height and
/// type (`s3i` is the i32 at height 3), as in wasm2c; pure expressions
/// (constants, local reads, non-trapping arithmetic) stay unevaluated on
/// the stack until something consumes them, so most instructions fold into
/// one C expression. Anything that can trap or has an effect is emitted as a
/// statement at once, in instruction order.
struct FunctionEmitter {
    let context: ModuleContext
    /// Index in the function index space.
    let function: Int
    let type: FunctionType
    /// Parameters, then declared locals.
    let localTypes: [ValueType]

    var stack: [StackValue] = []
    var frames: [ControlFrame] = []
    var lines: [String] = []
    var indentation = 1
    /// False after br, br_table, return and unreachable, until the frame's
    /// `else` or `end`: that code is skipped, nesting still tracked.
    var reachable = true
    var skippedBlocks = 0
    var nextLabel = 0
    var readVariables: Set<Variable> = []
    var writtenVariables: Set<Variable> = []
    /// Byte offset of the instruction being lowered, for errors.
    var offset = 0
    /// Load keeping (FunctionEmitter+LoadKeeping.swift): the straight-line
    /// stretch being emitted, each load's line and slot, the loads whose
    /// value is certainly consumed, what each variable's current value
    /// carries.
    var region = 0
    var loads: [(line: Int, slot: Variable)] = []
    var anchoredLoads: Set<Int> = []
    var definitions: [Variable: Definition] = [:]
    /// Revocable anchors (FunctionEmitter+Claims.swift): each claim's loads,
    /// the revoked ones, where each load read, stores a later store may
    /// still overwrite unread, the back edge being watched, and the line of
    /// each variable's last write.
    var claims: [Set<Int>] = []
    var revokedClaims: Set<Int> = []
    var loadKeys: [AccessKey] = []
    var pendingStores: [PendingStore] = []
    var watchedBackEdge: (claim: Int, labels: Set<Int>)?
    var writeLines: [Variable: Int] = [:]

    /// A deferred expression that grows beyond this many operators is
    /// evaluated into its slot (bounds C nesting and duplicated text).
    static let maxWeight = 12

    /// The C definition of defined function `function`.
    static func emit(context: ModuleContext, function: Int) throws(LoweringError) -> String {
        let defined = function - context.importedFunctionCount
        guard defined >= 0, defined < context.module.code.count else {
            throw .invalidModule("function \(function) has no body")
        }
        let body = context.module.code[defined]
        var emitter = FunctionEmitter(context: context, function: function,
                                      type: context.functionTypes[function],
                                      localTypes: context.functionTypes[function].parameters + body.locals)
        guard emitter.localTypes.count <= Module.maxLocals else {
            throw .invalidModule("too many locals", function: function, offset: body.offsets.first ?? 0)
        }
        try emitter.lowerBody(body)
        return emitter.definition()
    }

    private mutating func lowerBody(_ body: FunctionBody) throws(LoweringError) {
        frames.append(ControlFrame(kind: .function, label: 0, parameters: [], results: type.results, height: 0))
        nextLabel = 1
        for (index, instruction) in body.instructions.enumerated() {
            offset = index < body.offsets.count ? body.offsets[index] : -1
            guard !frames.isEmpty else { throw invalid("instructions after the function's end") }
            if reachable {
                watchBackEdge(before: instruction)
                try lower(instruction)
            } else {
                try skip(instruction)
            }
            if Self.endsRegion(instruction) { region += 1 }
        }
        guard frames.isEmpty else { throw invalid("missing end") }
    }

    /// Unreachable code: only the structure matters.
    private mutating func skip(_ instruction: Instruction) throws(LoweringError) {
        switch instruction {
        case .block, .loop, .if: skippedBlocks += 1
        case .else where skippedBlocks == 0: try lowerElse()
        case .end where skippedBlocks == 0: try lowerEnd()
        case .end: skippedBlocks -= 1
        default: break
        }
    }

    private mutating func lower(_ instruction: Instruction) throws(LoweringError) {
        switch instruction {
        case .unreachable: lowerUnreachable()
        case .nop: break
        case .block(let type): try lowerBlock(type)
        case .loop(let type): try lowerLoop(type)
        case .if(let type): try lowerIf(type)
        case .else: try lowerElse()
        case .end: try lowerEnd()
        case .br(let depth): try lowerBr(depth)
        case .brIf(let depth): try lowerBrIf(depth)
        case .brTable(let targets, let defaultTarget): try lowerBrTable(targets, defaultTarget)
        case .return: try lowerReturn()
        case .call(let callee): try lowerCall(callee)
        case .callIndirect(let typeIndex, let table): try lowerCallIndirect(typeIndex, table: table)

        case .refNull(let type): try lowerRefNull(type)
        case .refIsNull: try lowerRefIsNull()
        case .refFunc(let index): try lowerRefFunc(index)

        case .drop: try lowerDrop()
        case .select(let types): try lowerSelect(types)
        case .localGet(let index): try lowerLocalGet(index)
        case .localSet(let index): try lowerLocalSet(index, tee: false)
        case .localTee(let index): try lowerLocalSet(index, tee: true)
        case .globalGet(let index): try lowerGlobalGet(index)
        case .globalSet(let index): try lowerGlobalSet(index)

        case .tableGet(let table): try lowerTableGet(table)
        case .tableSet(let table): try lowerTableSet(table)
        case .tableInit(let element, let table): try lowerTableInit(element, table: table)
        case .elemDrop(let element): try lowerElemDrop(element)
        case .tableCopy(let destination, let source): try lowerTableCopy(destination, source)
        case .tableGrow(let table): try lowerTableGrow(table)
        case .tableSize(let table): try lowerTableSize(table)
        case .tableFill(let table): try lowerTableFill(table)

        case .load(let op, let memarg): try lowerLoad(op, memarg)
        case .store(let op, let memarg): try lowerStore(op, memarg)
        case .memorySize: lowerMemorySize()
        case .memoryGrow: try lowerMemoryGrow()
        case .memoryInit(let segment): try lowerMemoryInit(segment)
        case .dataDrop(let segment): try lowerDataDrop(segment)
        case .memoryCopy: try lowerMemoryCopy()
        case .memoryFill: try lowerMemoryFill()

        case .i32Const(let value): push(constant: CSyntax.i32(value), .i32, bits: UInt64(value))
        case .i64Const(let value): push(constant: CSyntax.i64(value), .i64, bits: value)
        case .f32Const(let bits): push(constant: CSyntax.f32(bits: bits).text, .f32)
        case .f64Const(let bits): push(constant: CSyntax.f64(bits: bits).text, .f64)
        case .numeric(let op): try lowerNumeric(op)

        case .vector(let vector): try lowerVector(vector)
        }
    }

    func invalid(_ reason: String) -> LoweringError {
        .invalidModule(reason, function: function, offset: offset)
    }

    mutating func emit(_ line: String) {
        lines.append(String(repeating: "  ", count: max(0, indentation)) + line)
    }

    // MARK: Assembly

    /// `<linkage> <ret> fN(params) {`, local and slot declarations, body.
    private func definition() -> String {
        var out = "WC_LINK " + Self.prototype(context: context, function: function) + " {\n"
        var declared: [String: [String]] = [:]  // C type -> declarators
        var unused: [String: [String]] = [:]
        for index in type.parameters.count..<localTypes.count {
            let variable = Variable.local(index)
            let declarator = "\(variable.name) = \(CSyntax.zero(localTypes[index]))"
            if readVariables.contains(variable) {
                declared[CSyntax.type(localTypes[index]), default: []].append(declarator)
            } else if writtenVariables.contains(variable) {
                unused[CSyntax.type(localTypes[index]), default: []].append(declarator)
            }
        }
        for variable in writtenVariables.union(readVariables).sorted() {
            guard case .slot(_, let slotType) = variable else { continue }
            if readVariables.contains(variable) {
                declared[CSyntax.type(slotType), default: []].append(variable.name)
            } else {
                unused[CSyntax.type(slotType), default: []].append(variable.name)
            }
        }
        for (cType, names) in declared.sorted(by: { $0.key < $1.key }) {
            out += "  \(cType) \(names.joined(separator: ", "));\n"
        }
        for (cType, names) in unused.sorted(by: { $0.key < $1.key }) {
            out += "  WC_UNUSED \(cType) \(names.joined(separator: ", "));\n"
        }
        let keeps = keptLoadStatements()
        for (number, line) in lines.enumerated() where !line.isEmpty {
            out += line + "\n"
            if let keep = keeps[number] { out += keep + "\n" }
        }
        return out + "}\n"
    }

    /// `[WC_RECURSIVE ]<ret> fN(uint32_t l0, ...)`, shared by the prototype
    /// and the definition.
    static func prototype(context: ModuleContext, function: Int) -> String {
        let type = context.functionTypes[function]
        let parameters = type.parameters.enumerated().map { "\(CSyntax.type($1)) l\($0)" }
        let attributes = context.recursiveFunctions.contains(function) ? "WC_RECURSIVE " : ""
        return "\(attributes)\(CSyntax.returnType(type.results)) \(context.functionNames[function])(\(parameters.isEmpty ? "void" : parameters.joined(separator: ", ")))"
    }
}
