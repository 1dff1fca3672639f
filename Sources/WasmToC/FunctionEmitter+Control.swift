import WasmCore

/// An open block, loop, if or the function body itself.
struct ControlFrame {
    enum Kind { case function, block, loop, ifThen, ifElse }
    var kind: Kind
    /// `L<label>` in C; the function frame's branches are returns instead.
    var label: Int
    var parameters: [ValueType]
    var results: [ValueType]
    /// Stack height below the parameters: the frame's values use slots
    /// from here up.
    var height: Int
    /// An if's parameters, restored for the else arm.
    var savedParameters: [StackValue] = []
    var isBranchTarget = false
    /// A loop's label line, written at `end` once we know it is used.
    var labelLine = -1
    var thenEndReachable = false

    /// What a branch to this frame carries.
    var branchTypes: [ValueType] { kind == .loop ? parameters : results }
}

/// Blocks, loops and ifs become labels, gotos and C if/else; br_table a
/// switch. Values cross edges in slots: a branch copies its values into
/// the slots at the target's height.
extension FunctionEmitter {
    mutating func lowerBlock(_ blockType: BlockType) throws(LoweringError) {
        let signature = try enter(blockType)
        materializeAll()
        frames.append(ControlFrame(kind: .block, label: newLabel(), parameters: signature.parameters,
                                   results: signature.results, height: stack.count - signature.parameters.count))
    }

    mutating func lowerLoop(_ blockType: BlockType) throws(LoweringError) {
        let signature = try enter(blockType)
        materializeAll()
        let height = stack.count - signature.parameters.count
        // The back edge writes the parameter slots: they must hold the values.
        for index in height..<stack.count { materialize(at: index) }
        var frame = ControlFrame(kind: .loop, label: newLabel(), parameters: signature.parameters,
                                 results: signature.results, height: height)
        frame.labelLine = lines.count
        lines.append("")
        frames.append(frame)
    }

    mutating func lowerIf(_ blockType: BlockType) throws(LoweringError) {
        let condition = try pop()
        let signature = try enter(blockType)
        materializeAll()
        let height = stack.count - signature.parameters.count
        for index in height..<stack.count { materialize(at: index) }
        // No anchor: clang drops the test when both arms turn out equivalent.
        emit("if (\(use(condition))) {")
        indentation += 1
        var frame = ControlFrame(kind: .ifThen, label: newLabel(), parameters: signature.parameters,
                                 results: signature.results, height: height)
        frame.savedParameters = Array(stack[height...])
        frames.append(frame)
    }

    mutating func lowerElse() throws(LoweringError) {
        guard var frame = frames.last, frame.kind == .ifThen else { throw invalid("else without if") }
        if reachable { try storeResults(of: frame) }
        frame.thenEndReachable = reachable
        frame.kind = .ifElse
        frames[frames.count - 1] = frame
        if stack.count > frame.height { stack.removeSubrange(frame.height...) }
        stack.append(contentsOf: frame.savedParameters)
        indentation -= 1
        emit("} else {")
        indentation += 1
        reachable = true
    }

    mutating func lowerEnd() throws(LoweringError) {
        guard let frame = frames.last else { throw invalid("end without block") }
        if frame.kind == .function {
            // Falling off a void function needs no statement.
            if reachable && !type.results.isEmpty { try emitReturn() }
            revokePendingStores()
            frames.removeLast()
            return
        }
        if reachable { try storeResults(of: frame) }
        frames.removeLast()
        switch frame.kind {
        case .function, .block:
            reachable = reachable || frame.isBranchTarget
        case .loop:
            noteLoopEnd(frame.labelLine)
            if frame.isBranchTarget {
                lines[frame.labelLine] = String(repeating: "  ", count: max(0, indentation)) + "L\(frame.label):;"
            }
        case .ifThen:
            guard frame.parameters == frame.results else { throw invalid("if without else changes types") }
            indentation -= 1
            emit("}")
            reachable = true
        case .ifElse:
            indentation -= 1
            emit("}")
            reachable = reachable || frame.thenEndReachable || frame.isBranchTarget
        }
        if frame.kind != .loop && frame.isBranchTarget { emit("L\(frame.label):;") }
        if stack.count > frame.height { stack.removeSubrange(frame.height...) }
        for type in frame.results { pushSlot(type) }
        skippedBlocks = 0
    }

    mutating func lowerBr(_ depth: UInt32) throws(LoweringError) {
        let target = try frameIndex(depth)
        try emitBranch(to: target)
        reachable = false
    }

    mutating func lowerBrIf(_ depth: UInt32) throws(LoweringError) {
        let condition = try pop()
        let target = try frameIndex(depth)
        try evaluateBranchValues(count: frames[target].branchTypes.count)
        let start = lines.count
        // A back edge decides whether the loop runs again, which clang must
        // keep unless a jump to the same place follows (a claim, watched);
        // a forward branch may land where falling through does (`if (c)
        // goto L; L:`), and clang then drops the test and its load.
        if frames[target].kind == .loop { claimBackEdge(condition, to: [frames[target].label]) }
        emit("if (\(use(condition))) {")
        indentation += 1
        try emitBranch(to: target)
        indentation -= 1
        if lines.count == start + 2 {
            // A lone goto or return: one line.
            let statement = lines.removeLast().drop(while: { $0 == " " })
            lines[start] = String(lines[start].dropLast()) + statement
        } else {
            emit("}")
        }
    }

    mutating func lowerBrTable(_ targets: [UInt32], _ defaultTarget: UInt32) throws(LoweringError) {
        let index = try pop()
        let defaultFrame = try frameIndex(defaultTarget)
        var groups: [(frame: Int, cases: [Int])] = []
        for (value, depth) in targets.enumerated() {
            let frame = try frameIndex(depth)
            if let group = groups.firstIndex(where: { $0.frame == frame }) {
                groups[group].cases.append(value)
            } else {
                groups.append((frame, [value]))
            }
        }
        let count = frames[defaultFrame].branchTypes.count
        if groups.isEmpty || (groups.count == 1 && groups[0].frame == defaultFrame) {
            try emitBranch(to: defaultFrame)
            reachable = false
            return
        }
        try evaluateBranchValues(count: count)
        // As br_if: only when every target is a loop header.
        if groups.allSatisfy({ frames[$0.frame].kind == .loop }) && frames[defaultFrame].kind == .loop {
            claimBackEdge(index, to: Set(groups.map { frames[$0.frame].label } + [frames[defaultFrame].label]))
        }
        emit("switch (\(use(index))) {")
        if !groups.contains(where: { $0.frame == defaultFrame }) { groups.append((defaultFrame, [])) }
        for group in groups {
            var labels = group.cases.map { "case \($0):" }
            if group.frame == defaultFrame { labels.append("default:") }
            emit(labels.joined(separator: " "))
            indentation += 1
            try emitBranch(to: group.frame)
            indentation -= 1
        }
        emit("}")
        reachable = false
    }

    mutating func lowerReturn() throws(LoweringError) {
        try emitReturn()
        reachable = false
    }

    mutating func lowerUnreachable() {
        emit("mewz_trap(MEWZ_TRAP_UNREACHABLE);")
        reachable = false
    }

    // MARK: Helpers

    private mutating func newLabel() -> Int {
        nextLabel += 1
        return nextLabel - 1
    }

    /// Checks a block type and that its parameters are on the stack.
    private mutating func enter(_ blockType: BlockType) throws(LoweringError) -> FunctionType {
        guard let signature = context.blockSignature(blockType) else { throw invalid("unknown block type") }
        guard stack.count - (frames.last?.height ?? 0) >= signature.parameters.count else {
            throw invalid("operand stack underflow")
        }
        return signature
    }

    func frameIndex(_ depth: UInt32) throws(LoweringError) -> Int {
        guard Int(depth) < frames.count else { throw invalid("branch depth \(depth) out of range") }
        return frames.count - 1 - Int(depth)
    }

    /// At a frame's end or else: its results into their slots.
    private mutating func storeResults(of frame: ControlFrame) throws(LoweringError) {
        guard stack.count == frame.height + frame.results.count else {
            throw invalid("\(stack.count - frame.height) values at the end of a block of \(frame.results.count) results")
        }
        for index in frame.height..<stack.count { materialize(at: index) }
    }

    /// Composite branch values are evaluated once, before the paths split.
    private mutating func evaluateBranchValues(count: Int) throws(LoweringError) {
        guard stack.count - count >= (frames.last?.height ?? 0) else { throw invalid("operand stack underflow") }
        for index in (stack.count - count)..<stack.count where !stack[index].isSimple {
            materialize(at: index)
        }
    }

    /// Copies the branch values into the target's slots and jumps (or
    /// returns, for the function frame). Assigning lowest slot first is
    /// safe: each source sits at or above its destination, and above every
    /// earlier destination.
    private mutating func emitBranch(to target: Int) throws(LoweringError) {
        let frame = frames[target]
        if frame.kind == .function {
            try emitReturn()
            return
        }
        let types = frame.branchTypes
        let first = stack.count - types.count
        guard first >= (frames.last?.height ?? 0) else { throw invalid("operand stack underflow") }
        for (offset, type) in types.enumerated() {
            let value = stack[first + offset]
            let destination = frame.height + offset
            if value.isSlot && first + offset == destination { continue }
            let slot = Variable.slot(destination, type)
            define(slot, from: value)
            emit("\(slot.name) = \(use(value));")
            writtenVariables.insert(slot)
        }
        emit("goto L\(frame.label);")
        frames[target].isBranchTarget = true
    }

    /// `return` with the function's results from the top of the stack.
    private mutating func emitReturn() throws(LoweringError) {
        let count = type.results.count
        guard stack.count - count >= (frames.last?.height ?? 0) else { throw invalid("operand stack underflow") }
        var values: [String] = []
        for index in (stack.count - count)..<stack.count { values.append(use(stack[index])) }
        revokePendingStores()
        switch count {
        case 0: emit("return;")
        case 1: emit("return \(values[0]);")
        default: emit("return (\(CSyntax.resultStruct(type.results))){\(values.joined(separator: ", "))};")
        }
    }
}
