import WasmCore

/// Locals, globals, drop and select.
extension FunctionEmitter {
    mutating func lowerLocalGet(_ index: UInt32) throws(LoweringError) {
        let local = try localType(index)
        push(variable: .local(Int(index)), local)
    }

    /// local.set / local.tee: deferred reads of the old value are evaluated
    /// first (by `assign`).
    mutating func lowerLocalSet(_ index: UInt32, tee: Bool) throws(LoweringError) {
        let local = try localType(index)
        let value = try pop()
        let variable = Variable.local(Int(index))
        // `lN = lN;` is a no-op.
        if value.expression != variable.name { assign(variable, use(value), from: value) }
        if tee { push(variable: variable, local) }
    }

    /// Immutable globals are constants after instantiation and stay
    /// deferred; a mutable one is read now (a call may change it).
    mutating func lowerGlobalGet(_ index: UInt32) throws(LoweringError) {
        let global = try globalType(index)
        let name = try globalName(index)
        if global.isMutable {
            push(name, global.valueType, operands: [], pure: false)
        } else {
            push(constant: name, global.valueType)
        }
    }

    mutating func lowerGlobalSet(_ index: UInt32) throws(LoweringError) {
        let name = try globalName(index)
        let value = try pop()
        // No anchor: a global is a C variable, and clang drops a store to
        // one it sees is never read (or overwritten first), load and all.
        emit("\(name) = \(use(value));")
    }

    /// A dropped load is kept by LoadKeeping like any unused one.
    mutating func lowerDrop() throws(LoweringError) {
        _ = try pop()
    }

    mutating func lowerSelect(_ types: [ValueType]?) throws(LoweringError) {
        let condition = try pop()
        let second = try pop()
        let first = try pop()
        // clang may evaluate only the chosen operand.
        push("(\(condition.expression) ? \(first.expression) : \(second.expression))", first.type,
             operands: [condition, first, second], pure: true, foldRisk: true)
    }

    private func localType(_ index: UInt32) throws(LoweringError) -> ValueType {
        guard Int(index) < localTypes.count else { throw invalid("unknown local \(index)") }
        return localTypes[Int(index)]
    }

    private func globalType(_ index: UInt32) throws(LoweringError) -> GlobalType {
        guard let type = context.globalType(index) else { throw invalid("unknown global \(index)") }
        return type
    }

    private func globalName(_ index: UInt32) throws(LoweringError) -> String {
        guard let name = context.globalName(index) else { throw invalid("unknown global \(index)") }
        return name
    }
}
