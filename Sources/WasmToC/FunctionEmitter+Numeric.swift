import WasmCore

/// How a numeric instruction reads in C: an expression template over its
/// operands (`$0`, `$1`, deepest first) and whether it is pure (no trap).
struct NumericTemplate {
    var text: String
    var pure = true

    /// The text between operands: `$0`, `$1` occur once each, in order.
    var pieces: [String] {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        return [String(parts.first ?? "")] + parts.dropFirst().map { String($0.dropFirst()) }
    }
}

extension FunctionEmitter {
    mutating func lowerNumeric(_ op: NumericOperator) throws(LoweringError) {
        let (operandTypes, result) = op.signature
        let operands = try pop(operandTypes.count)
        guard let form = NumericOperator.forms[op], form.pieces.count == operands.count + 1 else {
            throw invalid("no C form for numeric opcode \(op.rawValue)")
        }
        var text = form.pieces[0]
        let hidesConstants = NumericOperator.constantSensitive.contains(op)
        for (operand, piece) in zip(operands, form.pieces.dropFirst()) {
            text += hidesConstants && operand.isConstant
                ? "wc_\(result == .f32 ? "f32" : "f64")_opaque(\(operand.expression))"
                : operand.expression
            text += piece
        }
        push(text, result, operands: operands, pure: form.pure, foldRisk: mayFold(op, operands))
    }
}

extension NumericOperator {
    var template: NumericTemplate? { integerTemplate ?? floatTemplate ?? conversionTemplate }

    /// Every operator's template, split once.
    static let forms: [NumericOperator: (pieces: [String], pure: Bool)] = {
        var forms: [NumericOperator: (pieces: [String], pure: Bool)] = [:]
        for op in allCases {
            if let template = op.template { forms[op] = (template.pieces, template.pure) }
        }
        return forms
    }()
}
