import WasmCore
import WasmToC

/// The C of one process: per instance its module (renamed entry points,
/// imports of registered functions bound by #define) and a driver with one
/// function per command, printing the results' bit patterns; and main.c,
/// which instantiates and runs them in script order under `spec_run`
/// (Harness/spectest.c). Commands it cannot express in C are returned as
/// failures instead.
struct GroupSource {
    var files: [(name: String, contents: String)] = []
    var unrunnable: [Int: String] = [:]

    /// Linear memories one process can hold (Harness/harness_windows.h).
    static let memoryWindows = 8

    /// `guest`: main.c for the unikernel (Harness/guest_spectest.c) instead
    /// of the host harness; a group with more than one memory cannot run
    /// there (the guest has one window) and is left out, its commands in
    /// `unrunnable`.
    init(group: [Int], plan: ScriptPlan, guest: Bool = false) {
        var events: [(index: Int, call: String)] = []
        var declarations = ""
        // The first memory of the process is the guest's window; each further one its own.
        var windows: [Int: Int] = [:]
        for number in group {
            if let owner = plan.instances[number].memoryOwner, windows[owner] == nil { windows[owner] = windows.count }
        }
        if guest && windows.count > 1 {
            for number in group {
                let instance = plan.instances[number]
                for index in [instance.creator] + instance.commands {
                    unrunnable[index] = "\(windows.count) linear memories in one process: not run in the guest"
                }
            }
            return
        }
        for number in group {
            let instance = plan.instances[number]
            guard let lowered = instance.lowered else { continue }
            let window = instance.memoryOwner.flatMap { windows[$0] } ?? 0
            let defines = (["#define mewz_module_init spec_init_\(number)", "#define mewz_module_main spec_main_\(number)"]
                + instance.importDefines + Self.windowDefines(window)).joined(separator: "\n") + "\n"
            for file in lowered.files {
                files.append(("i\(number)/\(file.name)", file.name.hasSuffix(".c") ? defines + file.contents : file.contents))
            }
            var bodies = ""
            for index in instance.commands {
                switch Self.body(plan.commands[index], id: index, module: instance.module, prefix: instance.exportPrefix) {
                case .success(let body):
                    bodies += "void c\(index)(void) {\n\(body)}\n"
                    declarations += "void c\(index)(void);\n"
                    events.append((index, guest
                        ? "  if (ok\(number)) guest_run(\(index), c\(index), \(Self.expectsTrap(plan.commands[index]) ? 1 : 0));\n"
                        : "  if (ok\(number)) spec_run(\(index), c\(index));\n"))
                case .failure(let error):
                    unrunnable[index] = error.text
                }
            }
            let conditions = instance.linkConditions.isEmpty ? "1" : instance.linkConditions.joined(separator: " && ")
            bodies += "int spec_link_\(number)(void) {\n  return \(conditions);\n}\n"
            files.append(("i\(number)/driver.c", defines + "#include \"module.h\"\n" + Self.header + bodies))
            declarations += "void spec_init_\(number)(void);\nint spec_link_\(number)(void);\n"
            let memory = instance.importsSpectestMemory ? window : -1
            let instantiate = guest
                ? "guest_instantiate(\(instance.creator), \(memory >= 0 ? 1 : 0), spec_init_\(number), \(Self.expectsTrap(plan.commands[instance.creator]) ? 1 : 0))"
                : "spec_instantiate(\(instance.creator), \(memory), spec_init_\(number))"
            let unlinkable = guest ? "guest_unlinkable" : "spec_unlinkable"
            events.append((instance.creator, """
                  int ok\(number) = spec_link_\(number)() ? \(instantiate)
                                             : \(unlinkable)(\(instance.creator));

                """))
        }
        var main = Self.header + (guest ? Self.guestHeader : "") + declarations
        main += guest ? "\nvoid mewz_module_init(void) {}\nvoid mewz_module_main(void) {\n"
                      : "\nint harness_main(int argc, char **argv) {\n  (void)argc, (void)argv;\n"
        for event in events.sorted(by: { $0.index < $1.index }) { main += event.call }
        main += guest ? "}\n" : "  return 0;\n}\n"
        files.append(("main.c", main))
    }

    /// Commands whose success is a trap: in the guest each needs a boot of its own.
    static func expectsTrap(_ command: SpecCommand) -> Bool {
        ["assert_trap", "assert_exhaustion", "assert_uninstantiable"].contains(command.type)
    }

    static let guestHeader = """
            void guest_run(int id, void (*body)(void), int expects_trap);
            int guest_instantiate(int id, int imports_spectest_memory, void (*init)(void), int expects_trap);
            int guest_unlinkable(int id);

            """

    static let header = """
            #include "mewz/wasm_rt.h"
            void spec_run(int id, void (*body)(void));
            void spec_begin(int id);
            void spec_i32(uint32_t v);
            void spec_i64(uint64_t v);
            void spec_f32(uint32_t bits);
            void spec_f64(uint64_t bits);
            void spec_ref(const void *fn);
            void spec_v128(uint64_t low, uint64_t high);
            void spec_end(void);
            int spec_instantiate(int id, int spectest_memory_window, void (*init)(void));
            int spec_unlinkable(int id);

            """

    /// The memory of window k > 0: the same generated code, its base
    /// another constant (after wasm_rt.h, whose guard then skips it).
    static func windowDefines(_ window: Int) -> [String] {
        guard window > 0 else { return [] }
        return [
            "#include \"mewz/wasm_rt.h\"",
            "#include \"harness_windows.h\"",
            "#undef MEWZ_MEM",
            "#define MEWZ_MEM ((uint8_t *)HARNESS_WINDOW_BASE(\(window)))",
            "#define mewz_memory_pages (harness_window_pages[\(window)])",
            "#define mewz_memory_grow(delta) harness_window_grow(\(window), delta)",
            "#define mewz_memory_init(min, max) harness_window_init(\(window), min, max)",
        ]
    }

    struct Unrunnable: Error { let text: String }

    private static func body(_ command: SpecCommand, id: Int, module: Module,
                             prefix: String) -> Result<String, Unrunnable> {
        guard let action = command.action else { return .failure(Unrunnable(text: "no action")) }
        let symbol = CLowering.exportSymbol(prefix: prefix, name: action.field)
        let call: String
        let results: [ValueType]
        switch (action.kind, ExternType.export(action.field, of: module)) {
        case ("invoke", .function(let type)?):
            guard type.parameters.count == action.arguments.count else {
                return .failure(Unrunnable(text: "\(action.field): \(action.arguments.count) arguments for \(type.parameters.count) parameters"))
            }
            var arguments: [String] = []
            for (parameter, argument) in zip(type.parameters, action.arguments) {
                guard let value = cValue(argument, as: parameter) else {
                    return .failure(Unrunnable(text: "argument \(argument.type) \(argument.value ?? "") not expressible"))
                }
                arguments.append(value)
            }
            call = "\(symbol)(\(arguments.joined(separator: ", ")))"
            results = type.results
        case ("get", .global(let type)?):
            call = "\(symbol)()"
            results = [type.valueType]
        default:
            return .failure(Unrunnable(text: "no \(action.kind == "get" ? "global" : "function") export \"\(action.field)\""))
        }
        var out = ""
        switch results.count {
        case 0: out += "  \(call);\n  spec_begin(\(id));\n"
        default: out += "  __auto_type r = \(call);\n  spec_begin(\(id));\n"
        }
        for (position, type) in results.enumerated() {
            let value = results.count == 1 ? "r" : "r.v\(position)"
            out += "  \(report(value, type));\n"
        }
        out += "  spec_end();\n"
        return .success(out)
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

    /// A spec argument as a C expression of the parameter's type.
    private static func cValue(_ argument: SpecValue, as type: ValueType) -> String? {
        guard let text = argument.value else { return nil }
        switch type {
        case .i32: return UInt32(text).map { "\($0)u" }
        case .i64: return UInt64(text).map { "\($0)ull" }
        case .f32: return UInt32(text).map { "wc_f32_from_bits(\($0)u)" }
        case .f64: return UInt64(text).map { "wc_f64_from_bits(\($0)ull)" }
        case .funcref: return text == "null" ? "((wc_funcref){0, 0})" : nil
        // Host reference N is the non-null pointer value N + 1.
        case .externref:
            if text == "null" { return "((wc_funcref){0, 0})" }
            return UInt64(text).flatMap { $0 < UInt64(UInt32.max) ? "((wc_funcref){0, (wc_fn)(uintptr_t)\($0 + 1)u})" : nil }
        case .v128:
            guard let halves = SpecLanes.halves(argument) else { return nil }
            return "((wc_v128){\(halves.low)ull, \(halves.high)ull})"
        }
    }
}
