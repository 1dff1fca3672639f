import WasmCore

/// Reference values and funcref tables (`wc_table tN`, checked by the
/// prelude's helpers).
extension FunctionEmitter {
    mutating func lowerRefNull(_ type: ValueType) throws(LoweringError) {
        guard type.isReference else { throw invalid("ref.null of \(type)") }
        push(constant: "((wc_funcref){0, 0})", type)
    }

    mutating func lowerRefIsNull() throws(LoweringError) {
        let reference = try pop()
        push("((uint32_t)(\(reference.expression).fn == 0))", .i32, operands: [reference], pure: true)
    }

    mutating func lowerRefFunc(_ index: UInt32) throws(LoweringError) {
        guard let reference = context.functionReference(Int(index)) else {
            throw invalid("ref.func of unknown function \(index)")
        }
        push(constant: "((wc_funcref)\(reference))", .funcref)
    }

    mutating func lowerTableGet(_ table: UInt32) throws(LoweringError) {
        try requireTable(table)
        let index = try pop()
        anchor(index)
        push("wc_table_get(&\(try tableName(table)), \(index.expression))", .funcref, operands: [index], pure: false)
    }

    mutating func lowerTableSet(_ table: UInt32) throws(LoweringError) {
        try requireTable(table)
        let value = try pop()
        let index = try pop()
        anchor(index, value)
        emit("wc_table_set(&\(try tableName(table)), \(use(index)), \(use(value)));")
    }

    mutating func lowerTableSize(_ table: UInt32) throws(LoweringError) {
        try requireTable(table)
        push("\(try tableName(table)).size", .i32, operands: [], pure: false)
    }

    mutating func lowerTableGrow(_ table: UInt32) throws(LoweringError) {
        try requireTable(table)
        let count = try pop()
        let initial = try pop()
        anchor(initial, count)
        push("wc_table_grow(&\(try tableName(table)), \(initial.expression), \(count.expression))", .i32,
             operands: [initial, count], pure: false)
    }

    mutating func lowerTableFill(_ table: UInt32) throws(LoweringError) {
        try requireTable(table)
        let (index, value, count) = try popThree()
        anchor(index, value, count)
        emit("wc_table_fill(&\(try tableName(table)), \(use(index)), \(use(value)), \(use(count)));")
    }

    mutating func lowerTableCopy(_ destination: UInt32, _ source: UInt32) throws(LoweringError) {
        try requireTable(destination)
        try requireTable(source)
        let (to, from, count) = try popThree()
        anchor(to, from, count)
        emit("wc_table_copy(&\(try tableName(destination)), &\(try tableName(source)), \(use(to)), \(use(from)), \(use(count)));")
    }

    mutating func lowerTableInit(_ element: UInt32, table: UInt32) throws(LoweringError) {
        try requireTable(table)
        try requireElementSegment(element)
        let (destination, source, count) = try popThree()
        anchor(destination, source, count)
        emit("wc_table_init(&\(try tableName(table)), &wc_elems[\(element)], \(use(destination)), \(use(source)), \(use(count)));")
    }

    mutating func lowerElemDrop(_ element: UInt32) throws(LoweringError) {
        try requireElementSegment(element)
        emit("wc_elems[\(element)].size = 0;")
    }

    private func requireTable(_ table: UInt32) throws(LoweringError) {
        _ = try tableName(table)
    }

    /// The C name of a table (its own `tN` or an imported host symbol).
    func tableName(_ index: UInt32) throws(LoweringError) -> String {
        guard let name = context.tableName(index) else { throw invalid("unknown table \(index)") }
        return name
    }

    private func requireElementSegment(_ element: UInt32) throws(LoweringError) {
        guard Int(element) < context.module.elements.count else { throw invalid("unknown element segment \(element)") }
    }
}
