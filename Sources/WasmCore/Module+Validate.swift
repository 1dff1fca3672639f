extension Module {
    /// Checks every Wasm 2.0 validation rule, in the order the spec's
    /// reference validator does (so a module with several faults reports the
    /// same one): imports, function types, globals, tables, memories,
    /// element and data segments, function bodies, start, exports, and the
    /// single-memory rule.
    public func validate() throws(ValidationError) {
        do {
            try validateInOrder()
        } catch where error.offset == nil {
            throw error.at(error.context, offset: entryOffsets.offset(of: error.context, in: self))
        }
    }

    private func validateInOrder() throws(ValidationError) {
        let context = ValidationContext(self)
        try validateImports()
        try validateFunctionTypes(context)
        try validateGlobals(context)
        for (index, table) in tables.enumerated() {
            try Self.validateTableLimits(table.limits, place: "table \(importedTableCount + index)")
        }
        for (index, memory) in memories.enumerated() {
            try Self.validateMemoryLimits(memory.limits, place: "memory \(importedMemoryCount + index)")
        }
        try validateElements(context)
        try validateData(context)
        try validateCode(context)
        try validateStart(context)
        try validateExports(context)
        let memoryCount = context.memories.count
        guard memoryCount <= 1 else { throw ValidationError.multipleMemories(memoryCount).at("memory 1") }
    }

    private func validateImports() throws(ValidationError) {
        for (index, entry) in imports.enumerated() {
            let place = "import \(index) \"\(entry.module)\" \"\(entry.name)\""
            switch entry.descriptor {
            case .function(let typeIndex):
                guard Int(typeIndex) < types.count else { throw ValidationError.unknownType(typeIndex).at(place) }
            case .table(let type):
                try Self.validateTableLimits(type.limits, place: place)
                try Self.requireReferenceType(type.elementType, place: place)
            case .memory(let type):
                try Self.validateMemoryLimits(type.limits, place: place)
            case .global:
                break
            }
        }
    }

    private func validateFunctionTypes(_ context: ValidationContext) throws(ValidationError) {
        let importedCount = importedFunctionCount
        for (index, typeIndex) in functionTypeIndices.enumerated() {
            guard Int(typeIndex) < types.count else {
                throw ValidationError.unknownType(typeIndex).at("function \(importedCount + index)")
            }
        }
    }

    private func validateGlobals(_ context: ValidationContext) throws(ValidationError) {
        for (offset, global) in globals.enumerated() {
            let index = context.importedGlobalCount + offset
            try checkConstant(global.initializer, site: .global(index), type: global.type.valueType, context)
        }
    }

    private func validateElements(_ context: ValidationContext) throws(ValidationError) {
        for (index, segment) in elements.enumerated() {
            let place = "element segment \(index)"
            try Self.requireReferenceType(segment.type, place: place)
            for (item, expression) in segment.items.enumerated() {
                try checkConstant(expression, site: .elementItem(segment: index, item: item), type: segment.type, context)
            }
            if case .active(let tableIndex, let offset) = segment.mode {
                let table: TableType
                do { table = try context.table(tableIndex) } catch { throw error.at(place) }
                guard table.elementType == segment.type else {
                    throw ValidationError.typeMismatch(
                        expected: "elements of type \(table.elementType) for table \(tableIndex)",
                        found: "\(segment.type)"
                    ).at(place)
                }
                try checkConstant(offset, site: .elementOffset(segment: index), type: .i32, context)
            }
        }
    }

    private func validateData(_ context: ValidationContext) throws(ValidationError) {
        for (index, segment) in data.enumerated() {
            guard case .active(let memoryIndex, let offset) = segment.mode else { continue }
            do { _ = try context.memory(memoryIndex) } catch { throw error.at("data segment \(index)") }
            try checkConstant(offset, site: .dataOffset(segment: index), type: .i32, context)
        }
    }

    private func validateCode(_ context: ValidationContext) throws(ValidationError) {
        guard code.count == functionTypeIndices.count else {
            throw ValidationError.typeMismatch(
                expected: "\(functionTypeIndices.count) function bodies", found: "\(code.count)"
            ).at("code")
        }
        var validator = FunctionValidator(context: context)
        let importedCount = importedFunctionCount
        for (index, body) in code.enumerated() {
            let functionIndex = importedCount + index
            let type: FunctionType
            do { type = try context.type(functionTypeIndices[index]) } catch { throw error.at("function \(functionIndex)") }
            try validator.validate(body, type: type, place: "function \(functionIndex)")
        }
    }

    private func validateStart(_ context: ValidationContext) throws(ValidationError) {
        guard let start else { return }
        let type: FunctionType
        do { type = try context.functionType(start) } catch { throw error.at("start function") }
        guard type.parameters.isEmpty && type.results.isEmpty else {
            throw ValidationError.startFunctionType().at("start function \(start)")
        }
    }

    private func validateExports(_ context: ValidationContext) throws(ValidationError) {
        // Names are compared as bytes: Swift's String equality would merge
        // canonically equivalent spellings ("\u{C5}" and "A\u{30A}"), which
        // are distinct Wasm names.
        var names = Set<[UInt8]>()
        for (index, export) in exports.enumerated() {
            let place = "export \(index) \"\(export.name)\""
            do {
                switch export.descriptor {
                case .function(let function): _ = try context.functionType(function)
                case .table(let table): _ = try context.table(table)
                case .memory(let memory): _ = try context.memory(memory)
                case .global(let global): _ = try context.global(global)
                }
            } catch {
                throw error.at(place)
            }
            guard names.insert(Array(export.name.utf8)).inserted else {
                throw ValidationError.duplicateExportName(export.name).at(place)
            }
        }
    }
}

// MARK: - Types, limits and constant expressions

extension Module {
    private static func validateTableLimits(_ limits: Limits, place: String) throws(ValidationError) {
        // A table's size bound, 2^32 - 1, is the range of the u32 itself.
        if let max = limits.max, limits.min > max {
            throw ValidationError.limitsMinimumExceedsMaximum().at(place)
        }
    }

    private static func validateMemoryLimits(_ limits: Limits, place: String) throws(ValidationError) {
        let maximumPages: UInt32 = 65536
        guard limits.min <= maximumPages else { throw ValidationError.memorySizeTooLarge().at(place) }
        guard let max = limits.max else { return }
        guard max <= maximumPages else { throw ValidationError.memorySizeTooLarge().at(place) }
        guard limits.min <= max else { throw ValidationError.limitsMinimumExceedsMaximum().at(place) }
    }

    private static func requireReferenceType(_ type: ValueType, place: String) throws(ValidationError) {
        guard type.isReference else { throw ValidationError.notAReferenceType(type).at(place) }
    }

    /// Checks a constant expression against its expected type, reporting
    /// the failure recorded by the decoder first if there is one.
    private func checkConstant(
        _ expression: ConstantExpression, site: ConstantExpressionSite, type expected: ValueType,
        _ context: ValidationContext
    ) throws(ValidationError) {
        if !invalidConstantExpressions.isEmpty, let failure = invalidConstantExpressions[site] { throw failure }
        do throws(ValidationError) {
            let actual = try Self.constantType(expression, context)
            guard actual == expected else {
                throw ValidationError.typeMismatch(expected: "\(expected)", found: "\(actual)")
            }
        } catch {
            throw error.at(site.description)  // built only on failure: segments can hold many items
        }
    }

    /// The type of a constant expression. In Wasm 2.0 `global.get` may only
    /// read imported immutable globals.
    private static func constantType(
        _ expression: ConstantExpression, _ context: ValidationContext
    ) throws(ValidationError) -> ValueType {
        switch expression {
        case .i32: return .i32
        case .i64: return .i64
        case .f32: return .f32
        case .f64: return .f64
        case .v128(let bytes):
            guard bytes.count == 16 else {
                throw .typeMismatch(expected: "16 bytes of v128.const", found: "\(bytes.count)")
            }
            return .v128
        case .refNull(let type):
            guard type.isReference else { throw .notAReferenceType(type) }
            return type
        case .refFunc(let index):
            _ = try context.functionType(index)
            return .funcref
        case .globalGet(let index):
            guard Int(index) < context.importedGlobalCount else { throw .unknownGlobal(index) }
            let global = context.globals[Int(index)]
            guard !global.isMutable else { throw .constantExpressionRequired() }
            return global.valueType
        }
    }
}
