import WasmCore

/// SIMD instructions: each is a call of its prelude helper
/// (CPrelude+SIMD.swift), pure unless it touches memory, so vector
/// expressions fold like scalar ones. Loads and stores use the same
/// guard-page addressing as scalar accesses.
extension FunctionEmitter {
    mutating func lowerVector(_ instruction: VectorInstruction) throws(LoweringError) {
        let op = instruction.op
        guard op.immediates == Self.immediates(of: instruction) else {
            throw invalid("\(op.name) with the wrong immediates")
        }
        switch instruction {
        case .constant(let value):
            push(constant: CSyntax.v128(value), .v128)
        case .shuffle(let lanes):
            let indices = lanes.bytes
            guard indices.allSatisfy({ $0 < 32 }) else { throw invalid("i8x16.shuffle lane index out of range") }
            let (first, second) = try popTwo(op)
            let text = "((wc_v128)__builtin_shufflevector((wc_u8x16)\(first.expression), "
                + "(wc_u8x16)\(second.expression), \(indices.map(String.init).joined(separator: ", "))))"
            push(text, .v128, operands: [first, second], pure: true)
        case .memory(_, let memarg):
            try lowerVectorAccess(op, memarg, lane: nil)
        case .memoryLane(_, let memarg, let lane):
            try checkLane(lane, op)
            try lowerVectorAccess(op, memarg, lane: lane)
        case .lane(_, let lane):
            try checkLane(lane, op)
            let operands = try popOperands(op)
            guard let result = op.signature.result else { throw invalid("\(op.name) has no result") }
            var arguments = [operands[0].expression, "\(lane)u"]
            if operands.count == 2 { arguments.append(operands[1].expression) }
            push("\(Self.helper(op))(\(arguments.joined(separator: ", ")))", result, operands: operands, pure: true)
        case .plain:
            let operands = try popOperands(op)
            guard let result = op.signature.result else { throw invalid("\(op.name) has no result") }
            let hidesConstants = Self.constantSensitive.contains(op)
            let arguments = operands.map { hidesConstants && $0.isConstant ? "wc_v128_opaque(\($0.expression))" : $0.expression }
            push("\(Self.helper(op))(\(arguments.joined(separator: ", ")))", result, operands: operands, pure: true)
        }
    }

    /// Loads (pure but trapping: evaluated now, kept if dropped) and stores.
    private mutating func lowerVectorAccess(_ op: SIMDOperator, _ memarg: MemoryArgument,
                                            lane: UInt8?) throws(LoweringError) {
        guard op.accessWidth != nil else { throw invalid("\(op.name) does not access memory") }
        let operands = try popOperands(op)
        var arguments = [operands[0].expression, CSyntax.i32(memarg.offset)]
        if operands.count == 2 { arguments.append(operands[1].expression) }
        if let lane { arguments.append("\(lane)u") }
        let call = "\(Self.helper(op))(\(arguments.joined(separator: ", ")))"
        let key = accessKey(operands[0], offset: memarg.offset, width: op.accessWidth ?? 16)
        if op.signature.result == nil {
            claimStore(address: operands[0], value: operands[1], key: key)
            for operand in operands { _ = use(operand) }
            emit(call + ";")
        } else {
            anchor(operands[0])  // the address
            noteMemoryRead(key)
            push(call, .v128, operands: operands, pure: false)
            recordLoad(into: .slot(stack.count - 1, .v128), key: key)
        }
    }

    /// The immediates an instruction's case carries.
    private static func immediates(of instruction: VectorInstruction) -> SIMDOperator.Immediates {
        switch instruction {
        case .plain: .none
        case .memory: .memoryArgument
        case .lane: .lane
        case .memoryLane: .memoryArgumentAndLane
        case .constant, .shuffle: .sixteenBytes
        }
    }

    /// The operands of `op`, deepest first, checked against its signature.
    private mutating func popOperands(_ op: SIMDOperator) throws(LoweringError) -> [StackValue] {
        let types = op.signature.operands
        let operands = try pop(types.count)
        for (operand, type) in zip(operands, types) where operand.type != type {
            throw invalid("\(op.name) expects \(type), found \(operand.type)")
        }
        return operands
    }

    private mutating func popTwo(_ op: SIMDOperator) throws(LoweringError) -> (StackValue, StackValue) {
        let operands = try popOperands(op)
        guard operands.count == 2 else { throw invalid("\(op.name) takes two operands") }
        return (operands[0], operands[1])
    }

    private func checkLane(_ lane: UInt8, _ op: SIMDOperator) throws(LoweringError) {
        guard let lanes = op.laneCount, Int(lane) < lanes else { throw invalid("\(op.name) lane index \(lane) out of range") }
    }

    /// The prelude helper of `op`: "i8x16.add_sat_s" is `wc_i8x16_add_sat_s`.
    static func helper(_ op: SIMDOperator) -> String { helpers[Int(op.rawValue)] }

    private static let helpers: [String] = (0...255).map { raw in
        guard let op = SIMDOperator(rawValue: UInt8(raw)) else { return "" }
        return "wc_" + String(op.name.map { $0 == "." ? "_" : $0 })
    }

    /// Float arithmetic whose constant operand clang would fold (x + -0.0,
    /// x * 1.0 ... become x), losing the quieting of a signalling NaN;
    /// constants reach it through `wc_v128_opaque`, as for scalars.
    static let constantSensitive: Set<SIMDOperator> = [
        .f32x4Add, .f32x4Sub, .f32x4Mul, .f32x4Div, .f64x2Add, .f64x2Sub, .f64x2Mul, .f64x2Div,
    ]
}

extension CSyntax {
    /// A v128 constant: `((wc_v128){low, high})`, usable in static
    /// initialisers without the outer cast (`initializer`).
    static func v128(_ value: V128) -> String {
        "((wc_v128)\(v128Initializer(value)))"
    }

    static func v128Initializer(_ value: V128) -> String {
        "{\(i64(value.low)), \(i64(value.high))}"
    }
}
