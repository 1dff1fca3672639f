import Testing
import WasmCore
import WasmToC

/// The emitted C compiles for the guest: freestanding x86-64 against the
/// real Guest/include headers, -Wall -Werror, one or several units.
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct GuestCompileTests {
    static let modules: [(String, Module)] = [
        ("memory", MemoryTests.memoryModule()),
        ("operators", ModuleBuilder.operators(NumericOperator.allCases)),
    ]

    @Test(arguments: modules.map(\.0), [1, 3])
    func compilesFreestanding(name: String, translationUnits: Int) throws {
        let module = try #require(Self.modules.first { $0.0 == name }?.1)
        let lowered = try CLowering.lower(module, options: LoweringOptions(translationUnits: translationUnits,
                                                                          exportPrefix: "wasm_"))
        let result = try HostHarness.compileForGuest(lowered)
        #expect(result.status == 0, "\(name): \(result.stderr)")
    }

    @Test func commandCompilesFreestanding() throws {
        let result = try HostHarness.compileForGuest(try CommandTests.hello(exitCode: 3, translationUnits: 2))
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// A WASI signature that drifted from wasi.h fails to compile: the
    /// generated prototypes are checked against the header's.
    @Test func wasiPrototypesMatchHeader() throws {
        var builder = ModuleBuilder()
        for name in WASIImports.supported.keys.sorted() { builder.importWASI(name) }
        builder.function([], [], export: "_start", [])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions())
        let result = try HostHarness.compileForGuest(lowered)
        #expect(result.status == 0, "\(result.stderr)")
        let header = lowered.files[0].contents
        #expect(header.contains("_Noreturn void mewz_wasi_proc_exit(uint32_t);"))
        #expect(header.contains("uint32_t mewz_wasi_fd_seek(uint32_t, uint64_t, uint32_t, uint32_t);"))
    }
}
