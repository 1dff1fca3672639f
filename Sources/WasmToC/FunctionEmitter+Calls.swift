import WasmCore

/// Direct calls (defined functions and WASI imports) and call_indirect.
extension FunctionEmitter {
    mutating func lowerCall(_ callee: UInt32) throws(LoweringError) {
        let index = Int(callee)
        guard index < context.functionTypes.count else { throw invalid("call to unknown function \(callee)") }
        if index < context.importedFunctionCount { noteOpaqueCall() } else { revokePendingStores() }
        try emitCall(context.functionNames[index], type: context.functionTypes[index])
    }

    /// The table entry is checked (bounds, null, canonical signature) by
    /// `wc_call_target`, then called through the signature's pointer type.
    mutating func lowerCallIndirect(_ typeIndex: UInt32, table: UInt32) throws(LoweringError) {
        guard Int(typeIndex) < context.module.types.count, let signature = context.signatureID(typeIndex: typeIndex)
        else { throw invalid("call_indirect with unknown type \(typeIndex)") }
        let tableName = try self.tableName(table)
        let element = try pop()
        anchor(element)
        noteOpaqueCall()
        let target = "((wc_sig\(signature))wc_call_target(&\(tableName), \(use(element)), \(signature)u))"
        try emitCall(target, type: context.module.types[Int(typeIndex)])
    }

    /// `callee(args)`: results into fresh slots (through the result struct
    /// when there are several).
    private mutating func emitCall(_ callee: String, type: FunctionType) throws(LoweringError) {
        let arguments = try pop(type.parameters.count)
        let call = "\(callee)(\(arguments.map { use($0) }.joined(separator: ", ")))"
        let height = stack.count
        switch type.results.count {
        case 0:
            emit(call + ";")
        case 1:
            let slot = Variable.slot(height, type.results[0])
            assign(slot, call)
            pushSlot(type.results[0])
        default:
            let slots = type.results.enumerated().map { Variable.slot(height + $0, $1) }
            for slot in slots { invalidate(slot) }
            var statement = "{ \(CSyntax.resultStruct(type.results)) r = \(call);"
            for (field, slot) in slots.enumerated() {
                statement += " \(slot.name) = r.v\(field);"
                writtenVariables.insert(slot)
                noteWrite(slot)
                definitions[slot] = nil
            }
            emit(statement + " }")
            for result in type.results { pushSlot(result) }
        }
    }
}
