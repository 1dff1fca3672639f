/// Constant expressions (global initialisers, segment offsets, element
/// items). The binary format allows any instruction sequence here; Wasm 2.0
/// validation allows exactly one constant instruction. The decoder reads
/// the general form and reduces it to `ConstantExpression`; for anything
/// else it records the validation error the spec's validator would report.
extension ModuleDecoder {
    mutating func readConstantExpression(at site: ConstantExpressionSite) throws(DecodeError) -> ConstantExpression {
        var instructions: [Instruction] = []
        var offsets: [Int] = []
        swap(&instructions, &constantInstructions)
        swap(&offsets, &constantOffsets)
        defer {
            swap(&instructions, &constantInstructions)
            swap(&offsets, &constantOffsets)
        }
        instructions.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)

        try readExpression(into: &instructions, offsets: &offsets, inFunctionBody: false)
        // `readExpression` always ends the list with the expression's `end`.
        if instructions.count == 2, let constant = reduce(instructions[0]) {
            return constant
        }
        let body = instructions.count - 1
        let failure = constantExpressionFailure(instructions[..<body], offsets: offsets[..<body])
        module.invalidConstantExpressions[site] = failure.at(site.description)
        return .i32(0)  // placeholder; validation reports the failure above
    }

    private func reduce(_ instruction: Instruction) -> ConstantExpression? {
        switch instruction {
        case .i32Const(let value): return .i32(value)
        case .i64Const(let value): return .i64(value)
        case .f32Const(let bits): return .f32(bits: bits)
        case .f64Const(let bits): return .f64(bits: bits)
        case .refNull(let type): return .refNull(type)
        case .refFunc(let index): return .refFunc(index)
        case .globalGet(let index): return .globalGet(index)
        case .vector(.constant(let value)): return .v128(bytes: value.bytes)
        default: return nil
        }
    }

    /// The first error the spec's validator finds in a constant expression
    /// that is not one constant instruction: first any non-constant
    /// instruction (in Wasm 2.0 `global.get` may only read an imported
    /// immutable global), then the typing (function references resolve, and
    /// exactly one value must result).
    private func constantExpressionFailure(
        _ instructions: ArraySlice<Instruction>, offsets: ArraySlice<Int>
    ) -> ValidationError {
        let importedGlobals: [GlobalType] = module.imports.compactMap {
            if case .global(let type) = $0.descriptor { type } else { nil }
        }
        for (instruction, offset) in zip(instructions, offsets) {
            switch instruction {
            case .i32Const, .i64Const, .f32Const, .f64Const, .refNull, .refFunc:
                continue
            case .vector(.constant):
                continue
            case .globalGet(let index):
                guard Int(index) < importedGlobals.count else {
                    return ValidationError.unknownGlobal(index).at("", offset: offset)
                }
                if importedGlobals[Int(index)].isMutable {
                    return ValidationError.constantExpressionRequired().at("", offset: offset)
                }
            default:
                return ValidationError.constantExpressionRequired().at("", offset: offset)
            }
        }
        let functionCount = module.importedFunctionCount + module.functionTypeIndices.count
        for (instruction, offset) in zip(instructions, offsets) {
            if case .refFunc(let index) = instruction, Int(index) >= functionCount {
                return ValidationError.unknownFunction(index).at("", offset: offset)
            }
        }
        return .typeMismatch("a constant expression must produce one value, this one produces \(instructions.count)")
    }
}

extension ConstantExpressionSite: CustomStringConvertible {
    var description: String {
        switch self {
        case .global(let index): "global \(index)"
        case .elementOffset(let segment): "element segment \(segment) offset"
        case .elementItem(let segment, let item): "element segment \(segment) item \(item)"
        case .dataOffset(let segment): "data segment \(segment) offset"
        }
    }
}
