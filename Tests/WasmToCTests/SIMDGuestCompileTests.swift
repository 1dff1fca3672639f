import Foundation
import Testing
import WasmCore
import WasmToC

/// A module using every SIMD instruction compiles for the guest as the
/// image builder compiles it (freestanding, -Wall -Werror) with both
/// supported compilers (the Swift toolchain's clang and Debian's clang-19)
/// and both CPU targets; without SSE4.1 the SIMD prelude refuses with one
/// clear #error instead of failing inside an intrinsic.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct SIMDGuestCompileTests {
    static let compilers: [String] = ([HostHarness.clang, "/usr/bin/clang-19"].compactMap { $0 })
        .filter { FileManager.default.isExecutableFile(atPath: $0) }
        .reduce(into: []) { if !$0.contains($1) { $0.append($1) } }

    /// Every operator's check from the other SIMD suites, in one module.
    static func everything() -> Module {
        var builder = ModuleBuilder()
        builder.memory(1)
        var checks = SIMDOperatorTests.families.flatMap(\.operators).map(SIMDOperatorTests.check)
        checks += SIMDMemoryTests.loadChecks()
        checks.append(SIMDMemoryTests.storeCheck(.v128Store, lane: nil))
        for op in SIMDMemoryTests.stores where op != .v128Store { checks.append(SIMDMemoryTests.storeCheck(op, lane: 1)) }
        for op in SIMDLaneTests.laneOperators {
            let signature = op.signature
            checks.append(VectorCheck(.lane(op, 1), parameters: signature.operands, result: signature.result ?? .v128,
                                      arguments: []) { _ in nil })
        }
        checks.append(VectorCheck(.shuffle(V128(low: 0x0706_0504_0302_0100, high: 0x1F1E_1D1C_1B1A_1918)),
                                  parameters: [.v128, .v128], result: .v128, arguments: []) { _ in nil })
        for (number, check) in checks.enumerated() {
            builder.function(check.parameters, [check.result], locals: check.locals, export: "c\(number)", check.body)
        }
        return builder.module
    }

    @Test(arguments: compilers, [["-march=x86-64-v2"], ["-march=x86-64-v3"]])
    func everyInstructionCompilesForTheGuest(compiler: String, flags: [String]) throws {
        let lowered = try CLowering.lower(Self.everything(), options: LoweringOptions(translationUnits: 2, exportPrefix: "wasm_"))
        let result = try HostHarness.compileForGuest(lowered, flags: flags, compiler: compiler)
        #expect(result.status == 0, "\(compiler) \(flags): \(result.stderr.prefix(2000))")
    }

    @Test func withoutSSE41TheMessageSaysWhy() throws {
        let lowered = try CLowering.lower(Self.everything(), options: LoweringOptions(exportPrefix: "wasm_"))
        let result = try HostHarness.compileForGuest(lowered, flags: ["-march=x86-64"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("the SIMD lowering needs SSE4.1 (compile with -march=x86-64-v2)"))
    }

    /// Modules without v128 never parse the SIMD prelude.
    @Test func scalarModulesLeaveTheSIMDPreludeOut() throws {
        let scalar = try CLowering.lower(ModuleBuilder.operators([.i32Add]), options: LoweringOptions(exportPrefix: "wasm_"))
        #expect(!scalar.files[0].contents.contains("smmintrin.h"))
        let vector = try CLowering.lower(Self.everything(), options: LoweringOptions(exportPrefix: "wasm_"))
        #expect(vector.files[0].contents.contains("#include <smmintrin.h>"))
    }
}
