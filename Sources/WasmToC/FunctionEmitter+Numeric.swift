import WasmCore

/// How a numeric instruction reads in C: an expression template over its
/// operands (`$0`, `$1`, deepest first) and whether it is pure (no trap).
struct NumericTemplate {
    var text: String
    var pure = true
}

extension FunctionEmitter {
    mutating func lowerNumeric(_ op: NumericOperator) throws(LoweringError) {
        let (operandTypes, result) = op.signature
        let operands = try pop(operandTypes.count)
        guard let template = op.template else { throw invalid("no C form for numeric opcode \(op.rawValue)") }
        var text = template.text
        for (index, operand) in operands.enumerated().reversed() {
            text = text.replacing("$\(index)", with: operand.expression)
        }
        push(text, result, operands: operands, pure: template.pure)
    }
}

extension NumericOperator {
    var template: NumericTemplate? { integerTemplate ?? floatTemplate ?? conversionTemplate }
}
