import WasmCore
import WasmToC

/// The C driver of one instance: instantiates the module, then runs each
/// command as its own function under `spec_run` (Harness/spectest.c),
/// printing the results' bit patterns. Commands it cannot express in C
/// are returned as failures instead.
struct DriverSource {
    var text = ""
    var unrunnable: [Int: String] = [:]

    init(plan: InstancePlan, commands: [SpecCommand]) {
        var bodies = ""
        var calls = ""
        for index in plan.commands {
            switch Self.body(commands[index], id: index, module: plan.module) {
            case .success(let body):
                bodies += "static void c\(index)(void) {\n\(body)}\n"
                calls += "  spec_run(\(index), c\(index));\n"
            case .failure(let error):
                unrunnable[index] = error.text
            }
        }
        let importsMemory = plan.module.imports.contains { if case .memory = $0.descriptor { true } else { false } }
        text = """
            #include "module.h"
            void spec_run(int id, void (*body)(void));
            void spec_begin(int id);
            void spec_i32(uint32_t v);
            void spec_i64(uint64_t v);
            void spec_f32(uint32_t bits);
            void spec_f64(uint64_t bits);
            void spec_ref(const void *fn);
            void spec_end(void);
            int spec_instantiate(int with_spectest_memory);

            \(bodies)
            int harness_main(int argc, char **argv) {
              (void)argc, (void)argv;
              if (!spec_instantiate(\(importsMemory ? 1 : 0))) return 0;
            \(calls)  return 0;
            }

            """
    }

    struct Unrunnable: Error { let text: String }

    private static func body(_ command: SpecCommand, id: Int, module: Module) -> Result<String, Unrunnable> {
        guard let action = command.action else { return .failure(Unrunnable(text: "no action")) }
        let symbol = CLowering.exportSymbol(prefix: ScriptPlan.exportPrefix, name: action.field)
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
        case .v128: "(void)0"
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
        case .externref, .v128: return nil
        }
    }
}
