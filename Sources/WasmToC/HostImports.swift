import WasmCore

/// Imports from modules other than WASI, allowed only with
/// `LoweringOptions.hostImportPrefix` (spec harnesses): each binds to an
/// external C symbol the host defines. The guest path never sets the
/// option, so its imports stay exactly the wasi.h functions.
enum HostImports {
    /// `prefix` + mangled module + `_0` + mangled field. `mangle` never
    /// emits `_0`, so the separator keeps distinct pairs distinct.
    static func symbol(prefix: String, module: String, name: String) -> String {
        prefix + CSyntax.mangle(module) + "_0" + CSyntax.mangle(name)
    }
}

extension ModuleContext {
    /// C name of global `index` (global index space, imports first), nil
    /// when out of range.
    func globalName(_ index: UInt32) -> String? {
        let imported = module.importedGlobalCount
        if Int(index) < imported { return importSymbol(kind: .global, ordinal: Int(index)) }
        return Int(index) - imported < module.globals.count ? "g\(index)" : nil
    }

    /// Type of global `index` (global index space).
    func globalType(_ index: UInt32) -> GlobalType? {
        var ordinal = 0
        for entry in module.imports {
            guard case .global(let type) = entry.descriptor else { continue }
            if ordinal == Int(index) { return type }
            ordinal += 1
        }
        let defined = Int(index) - ordinal
        return defined < module.globals.count ? module.globals[defined].type : nil
    }

    /// C name (a `wc_table` lvalue) of table `index` (table index space).
    func tableName(_ index: UInt32) -> String? {
        let imported = module.importedTableCount
        if Int(index) < imported { return importSymbol(kind: .table, ordinal: Int(index)) }
        return Int(index) - imported < module.tables.count ? "t\(index)" : nil
    }

    /// Whether the module has a linear memory, its own or imported.
    var hasMemory: Bool { !module.memories.isEmpty || module.importedMemoryCount > 0 }

    enum ImportKind { case function, table, global }

    /// Host symbol of the `ordinal`-th import of a kind.
    func importSymbol(kind: ImportKind, ordinal: Int) -> String? {
        var seen = 0
        for entry in module.imports {
            let matches: Bool
            switch (entry.descriptor, kind) {
            case (.function, .function), (.table, .table), (.global, .global): matches = true
            default: matches = false
            }
            guard matches else { continue }
            if seen == ordinal {
                if case .function(let typeIndex) = entry.descriptor, entry.module == WASIImports.module {
                    let type = Int(typeIndex) < module.types.count ? module.types[Int(typeIndex)] : nil
                    return type.flatMap { WASIImports.resolve(entry.name, $0)?.symbol } ?? WASIImports.symbol(entry.name)
                }
                return HostImports.symbol(prefix: options.hostImportPrefix ?? "", module: entry.module, name: entry.name)
            }
            seen += 1
        }
        return nil
    }
}
