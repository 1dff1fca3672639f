import Foundation
import WasmCore
import WasmToC

/// `SpecRunner --emit-diff MODULE.wasm DIRECTORY`: the C of a process that
/// runs a module the way binaryen's fuzz-exec and hack/fuzz's wasmtime
/// reference (Fuzzing/diff/wasmtime_reference.py) do, for differential testing:
/// instantiate, then call every exported function in export order with
/// zero arguments. Linked with the spec harness
/// (harness.c, spectest.c), it prints, one line each:
///
///   -1 ok | -1 trap <text>    (instantiation)
///   <export index> ok <type>:<bits>... | <export index> trap <text>
///   log <type>:<bits>          (a fuzzing-support.log-* import was called)
///   memory <pages>     (when "memory" is exported; its bytes go to argv[1])
///
/// A trap ends the process, as it ends a mewz-runtime guest: what a trap
/// leaves behind is never observed there, and clang may legitimately move a
/// global's store past a load that traps. argv[2] names the export index to
/// start from, so the next call runs in a fresh instance (as the reference
/// does, wasmtime_reference.py).
///
/// It also writes exports.txt, "<index> <params> <results>" per function
/// export (types comma-separated, "-" for none): the reference reads the
/// signatures there, since wasmtime's Python API cannot show a v128 type.
/// Imports other than fuzzing-support's log-i32/i64/f32/f64/v128 are
/// refused (exit 3) so a module the reference cannot run either is never
/// counted as a difference.
enum DiffDriver {
    static let exportPrefix = "diff_x_"
    static let importPrefix = "diff_h_"
    static let logImports: [String: ValueType] = ["log-i32": .i32, "log-i64": .i64, "log-f32": .f32, "log-f64": .f64, "log-v128": .v128]

    static func run(_ arguments: [String]) -> Never {
        guard arguments.count == 2, let data = FileManager.default.contents(atPath: arguments[0]) else {
            fail("usage: SpecRunner --emit-diff MODULE.wasm DIRECTORY")
        }
        let directory = URL(fileURLWithPath: arguments[1])
        let module: Module
        let lowered: LoweredModule
        do {
            module = try Module.decode([UInt8](data))
            try module.validate()
        } catch {
            fail("\(arguments[0]): rejected: \(error)")
        }
        for entry in module.imports {
            guard entry.module == "fuzzing-support", case .function(let index) = entry.descriptor,
                  let type = logImports[entry.name], module.types.indices.contains(Int(index)),
                  module.types[Int(index)] == FunctionType(parameters: [type], results: []) else {
                FileHandle.standardError.write(Data("spec-test: \(arguments[0]): unsupported import \(entry.module).\(entry.name)\n".utf8))
                exit(3)
            }
        }
        do {
            lowered = try CLowering.lower(module, options: LoweringOptions(exportPrefix: exportPrefix, hostImportPrefix: importPrefix))
        } catch {
            fail("\(arguments[0]): lowering failed: \(error)")
        }
        let renames = "#define mewz_module_init diff_init\n#define mewz_module_main diff_main\n"
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for file in lowered.files {
                let text = file.name.hasSuffix(".c") ? renames + file.contents : file.contents
                try text.write(to: directory.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            }
            try driver(module).write(to: directory.appendingPathComponent("driver.c"), atomically: true, encoding: .utf8)
            try signatures(module).write(to: directory.appendingPathComponent("exports.txt"), atomically: true, encoding: .utf8)
        } catch {
            fail("cannot write \(directory.path): \(error)")
        }
        exit(0)
    }

    /// Every function export's type, by export index.
    static func exportedFunctions(_ module: Module) -> [(index: Int, name: String, type: FunctionType)] {
        var functionTypes: [UInt32] = []
        for entry in module.imports { if case .function(let index) = entry.descriptor { functionTypes.append(index) } }
        functionTypes += module.functionTypeIndices
        var result: [(Int, String, FunctionType)] = []
        for (index, export) in module.exports.enumerated() {
            guard case .function(let function) = export.descriptor else { continue }
            result.append((index, export.name, module.types[Int(functionTypes[Int(function)])]))
        }
        return result
    }

    static func signatures(_ module: Module) -> String {
        let names = { (types: [ValueType]) in types.isEmpty ? "-" : types.map(typeName).joined(separator: ",") }
        return exportedFunctions(module).map { "\($0.index) \(names($0.type.parameters)) \(names($0.type.results))\n" }.joined()
    }

    private static func typeName(_ type: ValueType) -> String {
        switch type {
        case .i32: "i32"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        case .v128: "v128"
        case .funcref: "funcref"
        case .externref: "externref"
        }
    }

    static func driver(_ module: Module) -> String {
        var text = "#define mewz_module_init diff_init\n#include \"module.h\"\n#include <inttypes.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n"
        text += GroupSource.header
        text += """
            static void log_line(const char *text) {
              for (size_t done = 0, length = strlen(text); done < length;) {
                ssize_t n = write(1, text + done, length - done);
                if (n <= 0) return;
                done += (size_t)n;
              }
            }

            """
        var declared: Set<String> = []
        for entry in module.imports {
            guard let type = logImports[entry.name], declared.insert(entry.name).inserted else { continue }
            let symbol = CLowering.hostImportSymbol(prefix: importPrefix, module: entry.module, name: entry.name)
            let (parameter, format) = switch type {
            case .i32: ("uint32_t v", "snprintf(line, sizeof line, \"log i32:%\" PRIu32 \"\\n\", v)")
            case .i64: ("uint64_t v", "snprintf(line, sizeof line, \"log i64:%\" PRIu64 \"\\n\", v)")
            case .f32: ("float v", "snprintf(line, sizeof line, \"log f32:%\" PRIu32 \"\\n\", wc_f32_bits(v))")
            case .f64: ("double v", "snprintf(line, sizeof line, \"log f64:%\" PRIu64 \"\\n\", wc_f64_bits(v))")
            default: ("wc_v128 v", "snprintf(line, sizeof line, \"log v128:%\" PRIu64 \":%\" PRIu64 \"\\n\", v[0], v[1])")
            }
            text += "void \(symbol)(\(parameter)) {\n  char line[96];\n  \(format);\n  log_line(line);\n}\n"
        }
        var calls = ""
        for export in exportedFunctions(module) {
            let symbol = CLowering.exportSymbol(prefix: exportPrefix, name: export.name)
            let arguments = export.type.parameters.map(zero).joined(separator: ", ")
            text += "static void c\(export.index)(void) {\n"
            text += export.type.results.isEmpty ? "  \(symbol)(\(arguments));\n" : "  __auto_type r = \(symbol)(\(arguments));\n"
            text += "  spec_begin(\(export.index));\n"
            for (position, type) in export.type.results.enumerated() {
                text += "  \(report(export.type.results.count == 1 ? "r" : "r.v\(position)", type));\n"
            }
            text += "  spec_end();\n}\n"
            calls += "  if (first <= \(export.index)) {\n    spec_run(\(export.index), c\(export.index));\n"
                + "    if (harness_last_trap) return 0;\n  }\n"
        }
        let exportsMemory = module.exports.contains { if case .memory = $0.descriptor { $0.name == "memory" } else { false } }
        text += """
            static void dump_memory(const char *path) {
              printf("memory %" PRIu32 "\\n", mewz_memory_pages);
              FILE *file = path ? fopen(path, "wb") : NULL;
              if (!file) return;
              fwrite(MEWZ_MEM, MEWZ_WASM_PAGE_SIZE, mewz_memory_pages, file);
              fclose(file);
            }
            extern uint32_t harness_last_trap;
            int harness_main(int argc, char **argv) {
              setvbuf(stdout, NULL, _IONBF, 0);
              int first = argc > 2 ? atoi(argv[2]) : 0;
              if (!spec_instantiate(-1, -1, diff_init)) return 0;


            """
        text += calls
        text += exportsMemory ? "  dump_memory(argc > 1 ? argv[1] : NULL);\n  return 0;\n}\n" : "  return 0;\n}\n"
        return text
    }

    private static func zero(_ type: ValueType) -> String {
        switch type {
        case .i32: "0u"
        case .i64: "0ull"
        case .f32: "0.0f"
        case .f64: "0.0"
        case .v128: "((wc_v128){0, 0})"
        case .funcref, .externref: "((wc_funcref){0, 0})"
        }
    }

    private static func report(_ value: String, _ type: ValueType) -> String {
        switch type {
        case .i32: "spec_i32(\(value))"
        case .i64: "spec_i64(\(value))"
        case .f32: "spec_f32(wc_f32_bits(\(value)))"
        case .f64: "spec_f64(wc_f64_bits(\(value)))"
        case .funcref, .externref: "spec_ref((const void *)\(value).fn)"
        case .v128: "spec_v128(\(value)[0], \(value)[1])"
        }
    }
}
