import WasmCore

public struct LoweringOptions: Sendable {
    /// Defined functions are spread over this many .c files (compiled in
    /// parallel); at least 1, and no more files than functions.
    public var translationUnits: Int
    /// When set, every exported function also gets an external C symbol,
    /// this prefix followed by the mangled export name (letters and digits
    /// kept, `_` doubled, other bytes `_xHH`), declared in module.h; and a
    /// module without "_start" is accepted (mewz_module_main does nothing).
    /// Exported globals get a getter `T symbol(void)`; exported globals and
    /// tables also a reference `T *prefix_0NAME(void)` (`wc_table *` for
    /// a table), through which another module's imports can be bound.
    /// For test and spec harnesses that call exports directly.
    public var exportPrefix: String?
    /// When set, imports from modules other than WASI are accepted and
    /// bind to external C symbols: this prefix, the mangled module name,
    /// `_0`, the mangled field name. Functions are declared with their Wasm
    /// signature, globals as `extern T`, tables as `extern wc_table`; an
    /// imported memory is the runtime's one memory, which the host sets up
    /// before `mewz_module_init`. For spec harnesses; the guest never sets it.
    public var hostImportPrefix: String?

    public init(translationUnits: Int = 1, exportPrefix: String? = nil, hostImportPrefix: String? = nil) {
        self.translationUnits = translationUnits
        self.exportPrefix = exportPrefix
        self.hostImportPrefix = hostImportPrefix
    }
}

public struct LoweredModule: Sendable {
    /// "module.h", then "module_0.c" (module state, entry points and its
    /// share of the functions), "module_1.c", ...; every .c includes
    /// module.h, which includes "mewz/wasm_rt.h".
    public var files: [(name: String, contents: String)]
    /// The linear memory's limits in pages: 65536 as the maximum when the
    /// module declares none; 0/0 when it has no memory.
    public var memoryMinPages: UInt32
    public var memoryMaxPages: UInt32
}

public enum CLowering {
    /// Lowers a validated module to C against Guest/include/mewz/wasm_rt.h.
    public static func lower(_ module: Module, options: LoweringOptions) throws(LoweringError) -> LoweredModule {
        let context = try ModuleContext(module: module, options: options)
        var functions: [(index: Int, text: String)] = []
        for index in context.importedFunctionCount..<context.functionTypes.count {
            // Every body is lowered, so unsupported code is reported even
            // where it cannot run; only live functions are emitted.
            let text = try FunctionEmitter.emit(context: context, function: index)
            if context.liveFunctions.contains(index) { functions.append((index, text)) }
        }

        let emitter = ModuleEmitter(context: context)
        let units = partition(functions, into: options.translationUnits)
        var files = [(name: "module.h", contents: emitter.header(functions: functions.map(\.index)))]
        for (number, unit) in units.enumerated() {
            var text = ModuleEmitter.banner + "#include \"module.h\"\n\n"
            if number == 0 { text += try emitter.stateDefinitions() + "\n" }
            for function in unit { text += function.text + "\n" }
            if number == 0 { text += try emitter.entryPoints() }
            files.append((name: "module_\(number).c", contents: text))
        }
        let memory = module.memories.first  // an imported memory is the host's
        return LoweredModule(files: files, memoryMinPages: memory?.limits.min ?? 0,
                             memoryMaxPages: memory.map { $0.limits.max ?? MEWZ.maxPages } ?? 0)
    }

    /// The C symbol `exportPrefix` gives export `name`: a function taking
    /// and returning its Wasm types (several results as a struct with
    /// fields v0, v1, ...), or for a global a getter `T symbol(void)`.
    public static func exportSymbol(prefix: String, name: String) -> String {
        prefix + CSyntax.mangle(name)
    }

    /// The C symbol `hostImportPrefix` binds import `module`.`name` to.
    public static func hostImportSymbol(prefix: String, module: String, name: String) -> String {
        HostImports.symbol(prefix: prefix, module: module, name: name)
    }

    /// Balances functions over the units by size (largest first onto the
    /// lightest unit), keeping index order inside each unit.
    static func partition(_ functions: [(index: Int, text: String)],
                          into count: Int) -> [[(index: Int, text: String)]] {
        let unitCount = max(1, min(count, functions.count))
        var units = Array(repeating: [(index: Int, text: String)](), count: unitCount)
        var sizes = Array(repeating: 0, count: unitCount)
        for function in functions.sorted(by: { ($0.text.utf8.count, $1.index) > ($1.text.utf8.count, $0.index) }) {
            let lightest = sizes.indices.min(by: { sizes[$0] < sizes[$1] }) ?? 0
            units[lightest].append(function)
            sizes[lightest] += function.text.utf8.count
        }
        return units.map { $0.sorted { $0.index < $1.index } }
    }
}
