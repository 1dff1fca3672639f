import Foundation
import Testing
import WasmCore
import WasmToC

/// An argument of a vector check: a v128, or a scalar's bits (its type is
/// the parameter's).
enum VectorArgument {
    case vector(V128)
    case scalar(UInt64)
}

/// What one call must return.
enum VectorResult {
    case vector(VectorExpectation)
    case scalar(UInt64)
}

/// One exported function run on every combination of its argument lists
/// (the Cartesian product, first parameter outermost); `expect` gives the
/// reference result of each combination.
struct VectorCheck {
    var name: String
    var parameters: [ValueType]
    var result: ValueType
    /// Declared locals, after the parameters.
    var locals: [ValueType] = []
    /// The body without its final `end`; parameters are locals 0, 1, ...
    var body: [Instruction]
    var arguments: [[VectorArgument]]
    var expect: ([VectorArgument]) -> VectorResult?

    init(name: String, parameters: [ValueType], result: ValueType, locals: [ValueType] = [], body: [Instruction],
         arguments: [[VectorArgument]], expect: @escaping ([VectorArgument]) -> VectorResult?) {
        self.name = name
        self.parameters = parameters
        self.result = result
        self.locals = locals
        self.body = body
        self.arguments = arguments
        self.expect = expect
    }

    /// The common case: `op` applied to the parameters in order.
    init(_ op: VectorInstruction, name: String? = nil, parameters: [ValueType], result: ValueType,
         arguments: [[VectorArgument]], expect: @escaping ([VectorArgument]) -> VectorResult?) {
        self.name = name ?? op.op.name
        self.parameters = parameters
        self.result = result
        body = parameters.indices.map { .localGet(UInt32($0)) } + [.vector(op)]
        self.arguments = arguments
        self.expect = expect
    }

    var combinations: [[VectorArgument]] {
        arguments.reduce([[]]) { partial, list in partial.flatMap { prefix in list.map { prefix + [$0] } } }
    }
}

/// Builds one module exporting every check's function, a driver looping
/// over the argument tables and printing each result, and compares every
/// printed result with the check's reference.
enum VectorHarness {
    /// The module's memory: pages, and data segments (address, bytes).
    struct Memory {
        var pages: UInt32
        var segments: [(address: UInt32, bytes: [UInt8])]
    }

    /// `module` may hold globals, tables and helper functions already.
    static func executable(_ checks: [VectorCheck], flags: [String], memory: Memory?,
                           module: ModuleBuilder = ModuleBuilder()) throws -> HostHarness.Executable {
        var builder = module
        if let memory {
            builder.memory(memory.pages)
            for segment in memory.segments { builder.data(at: segment.address, segment.bytes) }
        }
        for (number, check) in checks.enumerated() {
            builder.function(check.parameters, [check.result], locals: check.locals, export: "c\(number)", check.body)
        }
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: ExportRunner.prefix))
        return try HostHarness.Executable(lowered, driver: driver(checks), flags: flags)
    }

    /// Runs every call of every check and compares each result.
    static func run(_ checks: [VectorCheck], flags: [String], memory: Memory? = nil,
                    module: ModuleBuilder = ModuleBuilder(), sourceLocation: SourceLocation = #_sourceLocation) throws {
        let executable = try executable(checks, flags: flags, memory: memory, module: module)
        let output = try executable.run(timeout: 60)
        #expect(output.status == 0, "driver: status \(output.status), stderr: \(output.stderr)", sourceLocation: sourceLocation)
        var printed: [Int: [Substring]] = [:]
        for line in output.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let number = Int(fields[0]) else { continue }
            printed[number, default: []].append(fields[1])
        }
        for (number, check) in checks.enumerated() {
            let combinations = check.combinations
            let results = printed[number] ?? []
            #expect(results.count == combinations.count,
                    "\(check.name) [\(flags.joined(separator: " "))]: \(results.count) results for \(combinations.count) calls",
                    sourceLocation: sourceLocation)
            var failures = 0
            for (arguments, text) in zip(combinations, results) {
                guard let expected = check.expect(arguments) else {
                    Issue.record("\(check.name): no reference result", sourceLocation: sourceLocation)
                    break
                }
                guard !matches(text, expected) else { continue }
                failures += 1
                if failures <= 5 {
                    Issue.record("\(check.name)(\(arguments.map(describe).joined(separator: ", "))) [\(flags.joined(separator: " "))]: got \(text), expected \(describe(expected))",
                                 sourceLocation: sourceLocation)
                }
            }
            if failures > 5 { Issue.record("\(check.name): \(failures) wrong results in all", sourceLocation: sourceLocation) }
        }
    }

    /// Every call of every check must trap with `text`: one process each.
    static func runTraps(_ checks: [VectorCheck], text: String, flags: [String], memory: Memory? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let executable = try executable(checks, flags: flags, memory: memory)
        for (number, check) in checks.enumerated() {
            for (call, arguments) in check.combinations.enumerated() {
                let result = try executable.run(["\(number)", "\(call)"])
                #expect(result.status == 134 && result.stderr == "wasm trap: \(text)\n",
                        "\(check.name)(\(arguments.map(describe).joined(separator: ", "))): status \(result.status), stderr \(result.stderr.debugDescription), stdout \(result.stdout.debugDescription); expected trap \(text)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    static func matches(_ text: Substring, _ expected: VectorResult) -> Bool {
        switch expected {
        case .scalar(let bits):
            return UInt64(text, radix: 16) == bits
        case .vector(let expectation):
            guard text.count == 32, let high = UInt64(text.prefix(16), radix: 16),
                  let low = UInt64(text.suffix(16), radix: 16) else { return false }
            return expectation.matches(V128(low: low, high: high))
        }
    }

    static func describe(_ argument: VectorArgument) -> String {
        switch argument {
        case .vector(let value): "v128:" + value.hex
        case .scalar(let bits): "0x" + String(bits, radix: 16)
        }
    }

    static func describe(_ result: VectorResult) -> String {
        switch result {
        case .vector(let expectation): "[\(expectation.width)-bit lanes: \(expectation)]"
        case .scalar(let bits): "0x" + String(bits, radix: 16)
        }
    }

    static func cType(_ type: ValueType) -> String {
        switch type {
        case .v128: "v128"
        default: ExportRunner.cType(type)
        }
    }

    /// An argument as a C expression of its parameter's type.
    static func cValue(_ argument: VectorArgument, _ type: ValueType) -> String {
        switch (argument, type) {
        case (.vector(let value), _): "{0x\(String(value.low, radix: 16))ull, 0x\(String(value.high, radix: 16))ull}"
        case (.scalar(let bits), .f32): "f32_of(0x\(String(bits, radix: 16))u)"
        case (.scalar(let bits), .f64): "f64_of(0x\(String(bits, radix: 16))ull)"
        case (.scalar(let bits), _): "0x\(String(bits, radix: 16))ull"
        }
    }

    /// harness_driver: per check, one table per parameter and nested loops.
    static func driver(_ checks: [VectorCheck]) -> String {
        var out = """
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        typedef uint64_t v128 __attribute__((vector_size(16)));
        __attribute__((unused)) static float f32_of(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
        __attribute__((unused)) static double f64_of(uint64_t b) { double f; memcpy(&f, &b, 8); return f; }
        __attribute__((unused)) static void show_v128(int check, v128 r) {
            printf("%d %016llx%016llx\\n", check, (unsigned long long)r[1], (unsigned long long)r[0]);
        }
        __attribute__((unused)) static void show_bits(int check, const void *value, int size) {
            uint64_t bits = 0;
            memcpy(&bits, value, (size_t)size);
            printf("%d %llx\\n", check, (unsigned long long)bits);
        }

        """
        var body = ""
        for (number, check) in checks.enumerated() {
            let symbol = ExportRunner.prefix + ExportRunner.mangle("c\(number)")
            let parameters = check.parameters.map(cType)
            out += "\(cType(check.result)) \(symbol)(\(parameters.isEmpty ? "void" : parameters.joined(separator: ", ")));\n"
            var indent = "        "
            body += "    if (only_check < 0 || only_check == \(number)) { /* \(check.name) */\n        long call = 0;\n"
            for (position, list) in check.arguments.enumerated() {
                let type = check.parameters[position]
                let values = list.map { cValue($0, type) }.joined(separator: ",\n            ")
                body += "        const \(cType(type)) a\(number)_\(position)[\(list.count)] = {\n            \(values)};\n"
            }
            for (position, list) in check.arguments.enumerated() {
                body += "\(indent)for (int i\(position) = 0; i\(position) < \(list.count); i\(position)++)\n"
                indent += "    "
            }
            let call = "\(symbol)(\(check.arguments.indices.map { "a\(number)_\($0)[i\($0)]" }.joined(separator: ", ")))"
            body += "\(indent)if (only_call < 0 || only_call == call++) { \(cType(check.result)) r = \(call); "
            body += check.result == .v128 ? "show_v128(\(number), r); }\n" : "show_bits(\(number), &r, sizeof r); }\n"
            body += "    }\n"
        }
        // With arguments "CHECK CALL", only that call runs (it may trap).
        return out + """

            int harness_driver(int argc, char **argv) {
                long only_check = argc > 2 ? strtol(argv[1], NULL, 10) : -1;
                long only_call = argc > 2 ? strtol(argv[2], NULL, 10) : -1;

            """ + body + "    return 0;\n}\n"
    }

    /// The compile targets: the x86-64-v2 baseline, and x86-64-v3 (AVX2)
    /// when this host can run it.
    static let targets: [[String]] = hostHasAVX2 ? [["-march=x86-64-v2"], ["-march=x86-64-v3"]] : [["-march=x86-64-v2"]]

    static let hostHasAVX2: Bool = {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(separator: " ").contains("avx2")
    }()
}
