/// Type-checks function bodies with the spec's validation algorithm: an
/// operand stack whose entries may be unknown (after `unreachable`, `br`,
/// ... the stack is polymorphic) and a stack of control frames, each with
/// its parameter and result types, the operand height at entry and whether
/// the rest of the block is unreachable.
///
/// One validator checks all bodies of a module, reusing its stacks.
struct FunctionValidator {
    let context: ValidationContext
    let numericTypings = NumericTypingTable()
    /// Operand types; nil is the unknown type of unreachable code.
    var operands: [ValueType?] = []
    var frames: [ControlFrame] = []
    /// The function being checked: its parameters, then its declared locals.
    var parameters: [ValueType] = []
    var locals: [ValueType] = []

    init(context: ValidationContext) {
        self.context = context
    }

    mutating func validate(_ body: FunctionBody, type: FunctionType, place: String) throws(ValidationError) {
        operands.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        parameters = type.parameters
        locals = body.locals
        frames.append(ControlFrame(
            kind: .function, parameters: BlockTypeLists.empty, results: type.results,
            height: 0, isUnreachable: false))

        for (index, instruction) in body.instructions.enumerated() {
            let offset = index < body.offsets.count ? body.offsets[index] : nil
            do throws(ValidationError) {
                guard !frames.isEmpty else {
                    throw ValidationError.malformedControlStructure("instruction after the function's end")
                }
                try check(instruction)
            } catch {
                throw error.at(place, offset: offset)
            }
        }
        guard frames.isEmpty else {
            throw ValidationError.malformedControlStructure("missing end").at(place, offset: body.offsets.last)
        }
    }
}

// MARK: - Control frames

/// Block types as type lists without an allocation per block: the
/// one-type lists are shared constants.
enum BlockTypeLists {
    static let empty: [ValueType] = []
    private static let i32: [ValueType] = [.i32]
    private static let i64: [ValueType] = [.i64]
    private static let f32: [ValueType] = [.f32]
    private static let f64: [ValueType] = [.f64]
    private static let v128: [ValueType] = [.v128]
    private static let funcref: [ValueType] = [.funcref]
    private static let externref: [ValueType] = [.externref]

    static func single(_ type: ValueType) -> [ValueType] {
        switch type {
        case .i32: i32
        case .i64: i64
        case .f32: f32
        case .f64: f64
        case .v128: v128
        case .funcref: funcref
        case .externref: externref
        }
    }
}

struct ControlFrame {
    enum Kind { case function, block, loop, `if`, `else` }
    var kind: Kind
    var parameters: [ValueType]
    var results: [ValueType]
    var height: Int
    var isUnreachable: Bool

    /// What a branch to this frame carries: a loop's parameters (it
    /// restarts), any other block's results.
    var labelTypes: [ValueType] { kind == .loop ? parameters : results }
}

// MARK: - Operand stack

extension FunctionValidator {
    mutating func push(_ type: ValueType?) {
        operands.append(type)
    }

    mutating func push(_ types: [ValueType]) {
        for type in types { operands.append(type) }
    }

    /// Pops any operand; in unreachable code an empty block yields unknown.
    mutating func pop() throws(ValidationError) -> ValueType? {
        let frame = frames.count - 1
        if operands.count == frames[frame].height {
            if frames[frame].isUnreachable { return nil }
            throw .typeMismatch(expected: "a value", found: "nothing")
        }
        return operands.removeLast()
    }

    /// Pops an operand that must have type `expected` (or be unknown).
    @discardableResult
    mutating func pop(_ expected: ValueType) throws(ValidationError) -> ValueType? {
        let frame = frames.count - 1
        if operands.count == frames[frame].height {
            if frames[frame].isUnreachable { return nil }
            throw .typeMismatch(expected: "\(expected)", found: "nothing")
        }
        let actual = operands.removeLast()
        if let actual, actual != expected {
            throw .typeMismatch(expected: "\(expected)", found: "\(actual)")
        }
        return actual
    }

    mutating func pop(_ types: [ValueType]) throws(ValidationError) {
        for type in types.reversed() { try pop(type) }
    }

    /// Checks that the top operands match `types` without consuming them,
    /// as popping and pushing back the popped values would.
    func checkTop(_ types: [ValueType]) throws(ValidationError) {
        let frame = frames[frames.count - 1]
        for index in 0..<types.count {
            let expected = types[types.count - 1 - index]
            let position = operands.count - 1 - index
            if position < frame.height {
                if frame.isUnreachable { continue }
                throw .typeMismatch(expected: "\(expected)", found: "nothing")
            }
            if let actual = operands[position], actual != expected {
                throw .typeMismatch(expected: "\(expected)", found: "\(actual)")
            }
        }
    }

    mutating func pushFrame(_ kind: ControlFrame.Kind, parameters: [ValueType], results: [ValueType]) {
        frames.append(ControlFrame(
            kind: kind, parameters: parameters, results: results, height: operands.count, isUnreachable: false))
        push(parameters)
    }

    /// Ends the innermost block: exactly its results must be on the stack.
    mutating func popFrame() throws(ValidationError) -> ControlFrame {
        guard let frame = frames.last else {
            throw ValidationError.malformedControlStructure("end without a block")
        }
        try pop(frame.results)
        guard operands.count == frame.height else {
            throw ValidationError.typeMismatch(
                expected: "\(frame.results) at the end of the block",
                found: "\(operands.count - frame.height) more values")
        }
        return frames.removeLast()
    }

    /// The rest of the current block cannot be reached: drop its operands
    /// and make the stack polymorphic.
    mutating func markUnreachable() {
        let frame = frames.count - 1
        operands.removeSubrange(frames[frame].height...)
        frames[frame].isUnreachable = true
    }

    func label(_ depth: UInt32) throws(ValidationError) -> ControlFrame {
        guard Int(depth) < frames.count else { throw .unknownLabel(depth) }
        return frames[frames.count - 1 - Int(depth)]
    }

    func localType(_ index: UInt32) throws(ValidationError) -> ValueType {
        let index = Int(index)
        if index < parameters.count { return parameters[index] }
        guard index - parameters.count < locals.count else { throw .unknownLocal(UInt32(index)) }
        return locals[index - parameters.count]
    }
}
