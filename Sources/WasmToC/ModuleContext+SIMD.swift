import WasmCore

extension ModuleContext {
    /// Whether the module has any v128 value or SIMD instruction, and so
    /// needs the SIMD prelude (and SSE4.1).
    var usesVectors: Bool {
        func hasVector(_ types: [ValueType]) -> Bool { types.contains(.v128) }
        if module.types.contains(where: { hasVector($0.parameters) || hasVector($0.results) }) { return true }
        if module.globals.contains(where: { $0.type.valueType == .v128 }) { return true }
        for case .global(let type) in module.imports.map(\.descriptor) where type.valueType == .v128 { return true }
        for body in module.code {
            if hasVector(body.locals) { return true }
            for case .vector in body.instructions { return true }
        }
        return false
    }
}
