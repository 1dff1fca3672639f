/// The typing rules of the SIMD instructions: immediates first (memory,
/// alignment, lane indices), then the operands, as the reference
/// validator orders its checks.
extension FunctionValidator {
    mutating func checkVector(_ instruction: VectorInstruction) throws(ValidationError) {
        let op = instruction.op
        switch instruction {
        case .plain, .constant:
            break
        case .memory(_, let argument):
            try checkMemoryAccess(argument, width: op.accessWidth ?? 16)
        case .lane(_, let lane):
            try checkLane(lane, of: op)
        case .memoryLane(_, let argument, let lane):
            try checkMemoryAccess(argument, width: op.accessWidth ?? 16)
            try checkLane(lane, of: op)
        case .shuffle(let lanes):
            for lane in lanes.bytes where lane >= 32 { throw ValidationError.invalidLaneIndex(lane, lanes: 32) }
        }
        let signature = op.signature
        try pop(signature.operands)
        if let result = signature.result { push(result) }
    }

    private func checkLane(_ lane: UInt8, of op: SIMDOperator) throws(ValidationError) {
        let lanes = op.laneCount ?? 0
        guard Int(lane) < lanes else { throw ValidationError.invalidLaneIndex(lane, lanes: lanes) }
    }
}
