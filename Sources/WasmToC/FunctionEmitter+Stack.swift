import WasmCore

/// A C variable of the function: a Wasm local or a stack slot.
enum Variable: Hashable, Comparable {
    case local(Int)
    /// The slot of stack height `height` holding a value of the type.
    case slot(Int, ValueType)

    var name: String {
        switch self {
        case .local(let index): "l\(index)"
        case .slot(let height, let type): "s\(height)\(CSyntax.letter(type))"
        }
    }

    static func < (lhs: Variable, rhs: Variable) -> Bool {
        switch (lhs, rhs) {
        case (.local(let a), .local(let b)): a < b
        case (.local, .slot): true
        case (.slot, .local): false
        case (.slot(let a, let s), .slot(let b, let t)): (a, s.rawValue) < (b, t.rawValue)
        }
    }
}

/// A value on the operand stack while lowering: its slot variable, or a
/// pure C expression evaluated only where it is consumed.
struct StackValue {
    var type: ValueType
    var expression: String
    /// Variables the expression reads: writing one of them first forces the
    /// expression into its slot.
    var reads: [Variable]
    /// Operators folded into the expression.
    var weight: Int
    /// The expression is exactly the slot of its own height.
    var isSlot: Bool
    /// Some operator in the expression may let clang compute it without
    /// one of its operands (x * 0, x & 0, x - x, select, ...): loads it
    /// carries are not anchored by consuming it (LoadKeeping).
    var foldRisk = false
    /// The bits of an integer constant.
    var bits: UInt64?

    /// Constants (and ref.func, immutable globals): no variable, always valid.
    var isConstant: Bool { reads.isEmpty && !isSlot }
    /// Cheap to repeat: constants, plain variables.
    var isSimple: Bool { weight == 0 }
}

extension FunctionEmitter {
    // MARK: Pushing and popping

    mutating func pop() throws(LoweringError) -> StackValue {
        let frameHeight = frames.last?.height ?? 0
        guard stack.count > frameHeight, let value = stack.popLast() else { throw invalid("operand stack underflow") }
        return value
    }

    /// The top `count` values, deepest first.
    mutating func pop(_ count: Int) throws(LoweringError) -> [StackValue] {
        var values: [StackValue] = []
        for _ in 0..<count { values.append(try pop()) }
        return values.reversed()
    }

    mutating func push(constant expression: String, _ type: ValueType, bits: UInt64? = nil) {
        stack.append(StackValue(type: type, expression: expression, reads: [], weight: 0, isSlot: false,
                                bits: bits))
    }

    /// Pushes a variable read (a local); it stays deferred until the local
    /// is written or the value consumed.
    mutating func push(variable: Variable, _ type: ValueType) {
        stack.append(StackValue(type: type, expression: variable.name, reads: [variable], weight: 0,
                                isSlot: false))
    }

    /// Pushes the result of an operation on `operands`, whose expressions
    /// `expression` embeds (their variables count as read once it is
    /// emitted). A pure one stays deferred (unless it grew too big); any
    /// other is evaluated into its slot now, so effects and traps happen in
    /// instruction order. `foldRisk`: the operation itself may not need
    /// all its operands (see StackValue.foldRisk).
    mutating func push(_ expression: String, _ type: ValueType, operands: [StackValue], pure: Bool,
                       foldRisk: Bool = false) {
        var reads: [Variable] = []
        var weight = 1
        var risk = foldRisk
        for operand in operands {
            for variable in operand.reads where !reads.contains(variable) { reads.append(variable) }
            weight += operand.weight
            risk = risk || operand.foldRisk
        }
        stack.append(StackValue(type: type, expression: expression, reads: reads, weight: weight,
                                isSlot: false, foldRisk: risk))
        if !pure || weight > Self.maxWeight { materialize(at: stack.count - 1) }
    }

    /// Pushes a value already stored in the slot of the new top height.
    mutating func pushSlot(_ type: ValueType) {
        let variable = Variable.slot(stack.count, type)
        stack.append(StackValue(type: type, expression: variable.name, reads: [variable], weight: 0,
                                isSlot: true))
    }

    /// The expression of a value being placed into emitted C: its variables
    /// now count as read.
    mutating func use(_ value: StackValue) -> String {
        for variable in value.reads { readVariables.insert(variable) }
        return value.expression
    }

    // MARK: Evaluation into slots

    /// Evaluates the value at `index` into its slot variable.
    mutating func materialize(at index: Int) {
        guard index < stack.count, !stack[index].isSlot else { return }
        let value = stack[index]
        let slot = Variable.slot(index, value.type)
        invalidate(slot, except: index)
        let expression = use(value)
        define(slot, from: value)
        emit("\(slot.name) = \(expression);")
        writtenVariables.insert(slot)
        stack[index] = StackValue(type: value.type, expression: slot.name, reads: [slot], weight: 0,
                                  isSlot: true)
    }

    /// Before `variable` is written: evaluates every deferred value that
    /// still reads its old content.
    mutating func invalidate(_ variable: Variable, except: Int? = nil) {
        var index = 0
        while index < stack.count {
            if index != except, !stack[index].isSlot, stack[index].reads.contains(variable) {
                materialize(at: index)
            }
            index += 1
        }
    }

    /// Writes `expression` (whose operands are already used) to a variable;
    /// `value`, when the expression is a stack value's, is what it carries.
    mutating func assign(_ variable: Variable, _ expression: String, from value: StackValue? = nil) {
        invalidate(variable)
        if let value { define(variable, from: value) } else { definitions[variable] = nil; noteWrite(variable) }
        emit("\(variable.name) = \(expression);")
        writtenVariables.insert(variable)
    }

    /// Before control flow splits or joins: nothing but constants may stay
    /// deferred, since code on one path must not evaluate another's values.
    mutating func materializeAll() {
        for index in stack.indices where !stack[index].isConstant { materialize(at: index) }
    }
}
