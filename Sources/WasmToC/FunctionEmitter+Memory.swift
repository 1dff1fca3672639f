import WasmCore

/// Linear memory: accesses at MEWZ_MEM + address + offset with no bounds
/// check (guard pages trap); bulk operations check against the current size.
extension FunctionEmitter {
    mutating func lowerLoad(_ op: LoadOperator, _ memarg: MemoryArgument) throws(LoweringError) {
        let address = try pop()
        anchor(address)
        let key = accessKey(address, offset: memarg.offset, width: op.width)
        noteMemoryRead(key)
        push("wc_\(Self.name(op))(\(address.expression), \(CSyntax.i32(memarg.offset)))", op.resultType,
             operands: [address], pure: false)
        recordLoad(into: .slot(stack.count - 1, op.resultType), key: key)
    }

    mutating func lowerStore(_ op: StoreOperator, _ memarg: MemoryArgument) throws(LoweringError) {
        let value = try pop()
        let address = try pop()
        claimStore(address: address, value: value, key: accessKey(address, offset: memarg.offset, width: op.width))
        emit("wc_\(Self.name(op))(\(use(address)), \(CSyntax.i32(memarg.offset)), \(use(value)));")
    }

    mutating func lowerMemorySize() {
        push("mewz_memory_pages", .i32, operands: [], pure: false)
    }

    mutating func lowerMemoryGrow() throws(LoweringError) {
        let delta = try pop()
        anchor(delta)
        noteOpaqueCall()
        push("mewz_memory_grow(\(delta.expression))", .i32, operands: [delta], pure: false)
    }

    mutating func lowerMemoryInit(_ segment: UInt32) throws(LoweringError) {
        try requireDataSegment(segment)
        let (destination, source, count) = try popThree()
        anchor(destination, source, count)
        revokePendingStores()
        emit("wc_memory_init(&wc_data[\(segment)], \(use(destination)), \(use(source)), \(use(count)));")
    }

    mutating func lowerDataDrop(_ segment: UInt32) throws(LoweringError) {
        try requireDataSegment(segment)
        emit("wc_data[\(segment)].size = 0;")
    }

    mutating func lowerMemoryCopy() throws(LoweringError) {
        let (destination, source, count) = try popThree()
        anchor(destination, source, count)
        revokePendingStores()
        emit("wc_memory_copy(\(use(destination)), \(use(source)), \(use(count)));")
    }

    mutating func lowerMemoryFill() throws(LoweringError) {
        let (destination, value, count) = try popThree()
        anchor(destination, count)  // the bounds check; the value is not needed when count is 0
        revokePendingStores()
        emit("wc_memory_fill(\(use(destination)), \(use(value)), \(use(count)));")
    }

    /// Three operands, deepest first.
    mutating func popThree() throws(LoweringError) -> (StackValue, StackValue, StackValue) {
        let third = try pop()
        let second = try pop()
        let first = try pop()
        return (first, second, third)
    }

    private func requireDataSegment(_ segment: UInt32) throws(LoweringError) {
        guard Int(segment) < context.module.data.count else { throw invalid("unknown data segment \(segment)") }
    }

    /// The prelude helper's name without its `wc_` prefix.
    static func name(_ op: LoadOperator) -> String {
        switch op {
        case .i32Load: "i32_load"
        case .i64Load: "i64_load"
        case .f32Load: "f32_load"
        case .f64Load: "f64_load"
        case .i32Load8S: "i32_load8_s"
        case .i32Load8U: "i32_load8_u"
        case .i32Load16S: "i32_load16_s"
        case .i32Load16U: "i32_load16_u"
        case .i64Load8S: "i64_load8_s"
        case .i64Load8U: "i64_load8_u"
        case .i64Load16S: "i64_load16_s"
        case .i64Load16U: "i64_load16_u"
        case .i64Load32S: "i64_load32_s"
        case .i64Load32U: "i64_load32_u"
        }
    }

    static func name(_ op: StoreOperator) -> String {
        switch op {
        case .i32Store: "i32_store"
        case .i64Store: "i64_store"
        case .f32Store: "f32_store"
        case .f64Store: "f64_store"
        case .i32Store8: "i32_store8"
        case .i32Store16: "i32_store16"
        case .i64Store8: "i64_store8"
        case .i64Store16: "i64_store16"
        case .i64Store32: "i64_store32"
        }
    }
}
