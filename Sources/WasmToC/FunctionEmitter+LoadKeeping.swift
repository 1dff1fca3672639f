import WasmCore

/// What a variable's current value was computed from: the loads whose
/// values flow into it.
struct Definition {
    /// The straight-line stretch of code that assigned it.
    var region: Int
    var loads: Set<Int>
    /// The variables whose values from before the region it was computed
    /// from (through other definitions of the same region).
    var sources: Set<Variable>
    /// Inside a loop, from its own previous value (`sum = sum + x`, also
    /// through slots): every iteration's loads feed the final value,
    /// wherever that is consumed.
    var accumulates: Bool
    /// The value is a load's, unchanged (a store of it back to where it
    /// was loaded from is a no-op to clang).
    var copyOf: Int? = nil
    /// Computed from a load without a fold risk: clang cannot know it (see
    /// `mayFold`), at least within its region.
    var fromMemory = false
}

/// Keeping loads that may trap. The guard page only traps an access that
/// happens, and clang deletes a load whose value it proves unneeded: never
/// read, folded away (x * 0, x - x), or sunk into the one branch that reads
/// it. A kept load gets `wc_keep_T(slot);` after it, an empty asm taking the
/// value, which clang must treat as an effect (so it also blocks
/// vectorisation and memory optimisations around it: hot loops must not
/// need it). It is left out for a load that is *anchored*: its value
/// reaches, in the same straight-line stretch (or through a loop
/// accumulator) and through operators that need all their operands, a
/// consumer clang cannot drop: another load's address, a bulk memory or
/// table operation, memory.grow, a call_indirect index; or a store or a
/// loop's back-edge condition, by a claim that is revoked where clang may
/// drop them after all (FunctionEmitter+Claims.swift). Call arguments and
/// returned values do not anchor (inlining can make them dead), nor do
/// global.set (a global nobody reads is a dead C variable) and the
/// conditions of `if` and forward branches (clang removes a test whose
/// outcomes it finds equivalent: `if (c) goto L; L:`); both found by
/// hack/fuzz binaryen.
extension FunctionEmitter {
    /// Records the load just materialised into `slot`.
    mutating func recordLoad(into slot: Variable, key: AccessKey) {
        definitions[slot] = Definition(region: region, loads: [loads.count], sources: [], accumulates: false,
                                       copyOf: loads.count, fromMemory: true)
        loads.append((line: lines.count - 1, slot: slot))
        loadKeys.append(key)
    }

    /// `variable` is being assigned `value`.
    mutating func define(_ variable: Variable, from value: StackValue) {
        noteWrite(variable)
        var carried: Set<Int> = []
        var sources: Set<Variable> = []
        for read in value.reads {
            if let definition = definitions[read], definition.region == region {
                sources.formUnion(definition.sources)
            } else {
                sources.insert(read)
            }
        }
        if !value.foldRisk {
            for read in value.reads {
                guard let definition = definitions[read] else { continue }
                if definition.region == region || definition.accumulates || read == variable {
                    carried.formUnion(definition.loads)
                }
            }
        }
        let inLoop = frames.contains { $0.kind == .loop }
        let copied = value.isSimple && value.reads.count == 1 ? definitions[value.reads[0]]?.copyOf : nil
        let fromMemory = isFromMemory(value)
        definitions[variable] = Definition(region: region, loads: carried, sources: sources,
                                           accumulates: inLoop && sources.contains(variable), copyOf: copied,
                                           fromMemory: fromMemory)
    }

    /// `values` are consumed by an effect clang must perform.
    mutating func anchor(_ values: StackValue...) {
        for value in values { anchoredLoads.formUnion(carriedLoads(value)) }
    }

    /// Line number -> the keep statement that follows it, for every load
    /// that is not anchored.
    func keptLoadStatements() -> [Int: String] {
        var keeps: [Int: String] = [:]
        let anchored = allAnchoredLoads
        for (index, load) in loads.enumerated() where !anchored.contains(index) {
            guard case .slot(_, let type) = load.slot, let helper = Self.keepHelper(type) else { continue }
            let line = lines[load.line]
            let indentation = String(line.prefix { $0 == " " })
            keeps[load.line] = "\(indentation)\(helper)(\(load.slot.name));"
        }
        return keeps
    }

    static func keepHelper(_ type: ValueType) -> String? {
        switch type {
        case .i32: "wc_keep_i32"
        case .i64: "wc_keep_i64"
        case .f32: "wc_keep_f32"
        case .f64: "wc_keep_f64"
        case .v128: "wc_keep_v128"
        default: nil
        }
    }

    /// Instructions after which code is no longer straight-line from before.
    static func endsRegion(_ instruction: Instruction) -> Bool {
        switch instruction {
        case .block, .loop, .if, .else, .end, .br, .brIf, .brTable, .return, .unreachable: true
        default: false
        }
    }

    /// Whether clang may compute `op` on these operands without all of
    /// them: the same variable twice (x - x, x ^ x), an integer constant
    /// that absorbs or decides the result (x * 0, x & 0, x | ~0, x % 1,
    /// 0 << x, x <u 0, x >s INT_MAX, ...), or an operand clang may come to
    /// know as one. Float operators keep IEEE semantics, so they never drop
    /// an operand.
    func mayFold(_ op: NumericOperator, _ operands: [StackValue]) -> Bool {
        guard operands.count == 2 else { return false }
        let (first, second) = (operands[0], operands[1])
        if first.reads.contains(where: second.reads.contains) { return true }
        let wide = op.signature.operands.first == .i64
        guard op.signature.operands.first == .i32 || wide else { return false }
        switch op {
        case .i32Add, .i64Add, .i32Sub, .i64Sub, .i32Xor, .i64Xor, .i32Eq, .i64Eq, .i32Ne, .i64Ne:
            return false  // each result needs both operands, whatever they are
        default: break
        }
        let ones: UInt64 = wide ? .max : 0xFFFF_FFFF
        let signBit: UInt64 = wide ? 1 << 63 : 1 << 31
        let extremes: Set<UInt64> = [0, ones, signBit, signBit - 1]
        let constant = first.bits ?? second.bits
        guard let constant else { return mayBecomeAbsorbing(op, first, second) }
        switch op {
        // 0 shifted or rotated by anything is 0, and so is ~0 arithmetically
        // shifted or rotated (the count is then never needed; hack/fuzz binaryen).
        case .i32Shl, .i64Shl, .i32ShrU, .i64ShrU: return first.bits == 0
        case .i32ShrS, .i64ShrS, .i32Rotl, .i64Rotl, .i32Rotr, .i64Rotr: return first.bits == 0 || first.bits == ones
        case .i32Mul, .i64Mul, .i32And, .i64And: return constant == 0
        case .i32Or, .i64Or: return constant == ones
        case .i32DivS, .i64DivS, .i32DivU, .i64DivU: return first.bits == 0
        case .i32RemS, .i64RemS, .i32RemU, .i64RemU: return first.bits == 0 || second.bits == 1 || second.bits == ones
        default: return extremes.contains(constant)  // comparisons
        }
    }

    /// No constant operand, but clang may still know one after inlining or
    /// constant propagation: a parameter, a call's result, a local set
    /// earlier (hack/fuzz binaryen: `load & f64.eq(f(c1), f(c2))`, 0 once
    /// `f` is inlined). Only a value from memory is out of its reach. The
    /// operator then risks dropping a load-carrying operand when the operand
    /// that can absorb it (either one; for shifts and divisions the first)
    /// may be known.
    private func mayBecomeAbsorbing(_ op: NumericOperator, _ first: StackValue, _ second: StackValue) -> Bool {
        func carriesLoad(_ value: StackValue) -> Bool { !carriedLoads(value).isEmpty }
        switch op {
        case .i32Shl, .i64Shl, .i32ShrU, .i64ShrU, .i32ShrS, .i64ShrS, .i32Rotl, .i64Rotl, .i32Rotr, .i64Rotr,
             .i32DivS, .i64DivS, .i32DivU, .i64DivU:
            return !isFromMemory(first) && carriesLoad(second)
        default:  // and, or, mul, remainders, comparisons
            return (!isFromMemory(first) && carriesLoad(second)) || (!isFromMemory(second) && carriesLoad(first))
        }
    }

    /// `value` is computed from a load of this region (or a loop
    /// accumulator of loads), with no fold risk: clang cannot know it. A
    /// value from an earlier region may have reached here by a branch that
    /// set it otherwise, so it does not count.
    func isFromMemory(_ value: StackValue) -> Bool {
        !value.foldRisk && value.reads.contains { read in
            guard let definition = definitions[read], definition.fromMemory else { return false }
            return definition.region == region || definition.accumulates
        }
    }
}
