// Stand-in for the lowering built on another branch, so the ImageBuilder
// branch compiles and its tests can run clang and ld.lld for real; the lead
// deletes this file when merging.
import WasmCore

public struct LoweringOptions: Sendable {
    public var translationUnits: Int
    public init(translationUnits: Int) { self.translationUnits = translationUnits }
}

public struct LoweringError: Error, CustomStringConvertible {
    public var description: String
}

public struct LoweredModule {
    public var files: [(name: String, contents: String)]
    public var memoryMinPages: UInt32
    public var memoryMaxPages: UInt32
}

public enum CLowering {
    /// Emits module.h and one module_N.c per unit; module_0.c defines the
    /// two entry points wasm_rt.h asks for.
    public static func lower(_ module: Module, options: LoweringOptions) throws(LoweringError) -> LoweredModule {
        guard options.translationUnits >= 1 else { throw LoweringError(description: "no translation units") }
        var files: [(name: String, contents: String)] = [
            ("module.h", "#include \"mewz/wasm_rt.h\"\nvoid mewz_unit_helper(void);\n")
        ]
        for unit in 0..<options.translationUnits {
            var text = "#include \"module.h\"\nvoid mewz_unit_\(unit)(void) { mewz_memory_pages += \(unit); }\n"
            if unit == 0 {
                text += "void mewz_module_init(void) { mewz_memory_init(1, 2); }\n"
                text += "void mewz_module_main(void) {}\n"
            }
            files.append(("module_\(unit).c", text))
        }
        return LoweredModule(files: files, memoryMinPages: 1, memoryMaxPages: 2)
    }
}
