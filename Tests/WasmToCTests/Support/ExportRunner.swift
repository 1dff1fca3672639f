import Testing
import WasmCore
import WasmToC

/// A Wasm value as bits, or (expected only) any arithmetic NaN.
enum Value: Equatable, CustomStringConvertible {
    case i32(UInt32)
    case i64(UInt64)
    case f32(bits: UInt32)
    case f64(bits: UInt64)
    case f32NaN
    case f64NaN

    static func s32(_ value: Int32) -> Value { .i32(UInt32(bitPattern: value)) }
    static func s64(_ value: Int64) -> Value { .i64(UInt64(bitPattern: value)) }
    static func float(_ value: Float) -> Value { .f32(bits: value.bitPattern) }
    static func double(_ value: Double) -> Value { .f64(bits: value.bitPattern) }

    /// As the driver prints it.
    var description: String {
        switch self {
        case .i32(let v): "i32:" + hex(UInt64(v), 8)
        case .i64(let v): "i64:" + hex(v, 16)
        case .f32(let v): "f32:" + hex(UInt64(v), 8)
        case .f64(let v): "f64:" + hex(v, 16)
        case .f32NaN: "f32:nan"
        case .f64NaN: "f64:nan"
        }
    }

    /// Whether printed `actual` satisfies this expectation.
    func matches(_ actual: String) -> Bool {
        switch self {
        case .f32NaN:
            guard actual.hasPrefix("f32:"), let bits = UInt32(actual.dropFirst(4), radix: 16) else { return false }
            return bits & 0x7FC0_0000 == 0x7FC0_0000  // quiet NaN: arithmetic
        case .f64NaN:
            guard actual.hasPrefix("f64:"), let bits = UInt64(actual.dropFirst(4), radix: 16) else { return false }
            return bits & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000
        default:
            return actual == description
        }
    }

    /// The argument as a C expression for the driver.
    var cArgument: String {
        switch self {
        case .i32(let v): "0x\(hex(UInt64(v), 8))u"
        case .i64(let v): "0x\(hex(v, 16))ull"
        case .f32(let v): "f32_of(0x\(hex(UInt64(v), 8))u)"
        case .f64(let v): "f64_of(0x\(hex(v, 16))ull)"
        case .f32NaN: "f32_of(0x7fc00000u)"
        case .f64NaN: "f64_of(0x7ff8000000000000ull)"
        }
    }
}

private func hex(_ value: UInt64, _ digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

/// One invocation of an export and what it must do.
struct Call: CustomStringConvertible {
    enum Outcome { case values([Value]), trap(String) }
    var export: String
    var arguments: [Value]
    var outcome: Outcome

    init(_ export: String, _ arguments: [Value], _ results: Value...) {
        self.export = export
        self.arguments = arguments
        outcome = .values(results)
    }

    init(_ export: String, _ arguments: [Value], trap: String) {
        self.export = export
        self.arguments = arguments
        outcome = .trap(trap)
    }

    var description: String { "\(export)(\(arguments.map(\.description).joined(separator: ", ")))" }
}

/// Lowers a module with exported C symbols, generates a driver that makes
/// the calls, runs it, and records an issue for every call that misbehaves.
/// Calls that must trap run one per process.
enum ExportRunner {
    static let prefix = "wasm_"

    static func check(_ module: Module, _ calls: [Call], flags: [String] = [], translationUnits: Int = 1,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lowered = try CLowering.lower(module, options: LoweringOptions(translationUnits: translationUnits,
                                                                          exportPrefix: prefix))
        let executable = try HostHarness.Executable(lowered, driver: try driver(module, calls), flags: flags)
        let all = try executable.run()
        #expect(all.status == 0, "run of all returning calls: status \(all.status), stderr: \(all.stderr)",
                sourceLocation: sourceLocation)
        var printed: [Int: [String]] = [:]
        for line in all.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if let number = fields.first.flatMap({ Int($0) }) { printed[number] = Array(fields.dropFirst()) }
        }
        for (number, call) in calls.enumerated() {
            switch call.outcome {
            case .values(let expected):
                let actual = printed[number] ?? ["<nothing>"]
                let ok = expected.isEmpty ? actual == ["ok"]
                    : actual.count == expected.count && zip(expected, actual).allSatisfy { $0.matches($1) }
                #expect(ok, "\(call): got \(actual.joined(separator: " ")), expected \(expected.isEmpty ? "ok" : expected.map(\.description).joined(separator: " "))",
                        sourceLocation: sourceLocation)
            case .trap(let text):
                let result = try executable.run(["\(number)"])
                #expect(result.status == 134 && result.stderr == "wasm trap: \(text)\n",
                        "\(call): status \(result.status), stderr \(result.stderr.debugDescription), stdout \(result.stdout.debugDescription); expected trap \(text)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// C source of harness_driver: call N runs when argv[1] is N; the
    /// returning ones also run when there is no argument.
    static func driver(_ module: Module, _ calls: [Call]) throws -> String {
        var out = """
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        __attribute__((unused)) static float f32_of(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
        __attribute__((unused)) static double f64_of(uint64_t b) { double f; memcpy(&f, &b, 8); return f; }
        static __attribute__((unused)) void show(const char *type, const void *value, int size) {
            uint64_t bits = 0;
            memcpy(&bits, value, (size_t)size);
            printf(" %s:%0*llx", type, size * 2, (unsigned long long)bits);
        }

        """
        var declared: Set<String> = []
        var body = ""
        for (number, call) in calls.enumerated() {
            guard let type = exportType(module, call.export) else {
                throw HarnessError(description: "no exported function \(call.export)")
            }
            let symbol = prefix + mangle(call.export)
            let resultType: String
            switch type.results.count {
            case 0: resultType = "void"
            case 1: resultType = cType(type.results[0])
            default:
                resultType = "ret_" + type.results.map(\.description).joined(separator: "_")
                if declared.insert(resultType).inserted {
                    let fields = type.results.enumerated().map { "\(cType($1)) v\($0);" }.joined(separator: " ")
                    out += "typedef struct { \(fields) } \(resultType);\n"
                }
            }
            if declared.insert(symbol).inserted {
                let parameters = type.parameters.isEmpty ? "void" : type.parameters.map(cType).joined(separator: ", ")
                out += "\(resultType) \(symbol)(\(parameters));\n"
            }
            let condition: String
            if case .trap = call.outcome { condition = "only == \(number)" } else { condition = "only < 0 || only == \(number)" }
            let invocation = "\(symbol)(\(call.arguments.map(\.cArgument).joined(separator: ", ")))"
            body += "    if (\(condition)) {\n"
            switch type.results.count {
            case 0:
                body += "        \(invocation);\n        printf(\"\(number) ok\\n\");\n"
            case 1:
                body += "        \(resultType) r = \(invocation);\n        printf(\"\(number)\");\n"
                body += "        show(\"\(type.results[0])\", &r, sizeof r);\n        printf(\"\\n\");\n"
            default:
                body += "        \(resultType) r = \(invocation);\n        printf(\"\(number)\");\n"
                for (field, result) in type.results.enumerated() {
                    body += "        show(\"\(result)\", &r.v\(field), sizeof r.v\(field));\n"
                }
                body += "        printf(\"\\n\");\n"
            }
            body += "    }\n"
        }
        out += "\nint harness_driver(int argc, char **argv) {\n"
        out += "    long only = argc > 1 ? strtol(argv[1], NULL, 10) : -1;\n"
        return out + body + "    return 0;\n}\n"
    }

    static func exportType(_ module: Module, _ name: String) -> FunctionType? {
        guard let export = module.exports.first(where: { $0.name == name }),
              case .function(let index) = export.descriptor else { return nil }
        var typeIndices: [UInt32] = []
        for case .function(let typeIndex) in module.imports.map(\.descriptor) { typeIndices.append(typeIndex) }
        typeIndices += module.functionTypeIndices
        guard Int(index) < typeIndices.count, Int(typeIndices[Int(index)]) < module.types.count else { return nil }
        return module.types[Int(typeIndices[Int(index)])]
    }

    static func cType(_ type: ValueType) -> String {
        switch type {
        case .i32: "uint32_t"
        case .i64: "uint64_t"
        case .f32: "float"
        case .f64: "double"
        default: "void *"
        }
    }

    /// The documented export-name mangling (LoweringOptions.exportPrefix).
    static func mangle(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == 0x5F {
                out += "__"
            } else {
                out += "_x" + hex(UInt64(byte), 2)
            }
        }
        return out
    }
}
