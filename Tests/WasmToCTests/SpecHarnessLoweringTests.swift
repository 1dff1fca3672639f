import Testing
import WasmCore
@testable import WasmToC

/// What the spec suite needed of the lowering: runaway recursion through
/// call_indirect, externref, and (spec harness only) imports bound to host
/// symbols plus references to exported state.
struct SpecHarnessLoweringTests {
    /// A function calling itself through its table: clang would make the
    /// indirect tail call a jump and spin forever; it must trap instead.
    @Test func runawayIndirectRecursionExhaustsTheStack() throws {
        var builder = ModuleBuilder()
        let type = builder.type([], [])
        let runaway = builder.function([], [], export: "runaway", [.i32(0), .callIndirect(typeIndex: type, table: 0)])
        builder.function([], [.i32], export: "one", [.i32(1)])
        builder.table(1, 1)
        builder.elements(at: 0, [runaway])
        let lowered = try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "wasm_"))
        #expect(lowered.files[0].contents.contains("WC_LINK WC_RECURSIVE void f0(void);"))
        try ExportRunner.check(builder.module, [
            Call("runaway", [], trap: "call stack exhausted"),
            Call("one", [], .i32(1)),
        ])
    }

    /// externref shares funcref's representation: tables, ref.null and
    /// ref.is_null work on it.
    @Test func externrefTablesLowerAndRun() throws {
        var builder = ModuleBuilder()
        builder.module.tables.append(TableType(elementType: .externref, limits: Limits(min: 2, max: 4)))
        builder.function([.i32], [.i32], export: "isNull", [.get(0), .tableGet(0), .refIsNull])
        builder.function([], [.i32], export: "grow", [.refNull(.externref), .i32(2), .tableGrow(0)])
        try ExportRunner.check(builder.module, [
            Call("isNull", [.i32(1)], .i32(1)),
            Call("grow", [], .i32(2)),
            Call("grow", [], .i32(0xFFFF_FFFF)),
            Call("isNull", [.i32(2)], trap: "out of bounds table access"),
        ])
    }

    /// With hostImportPrefix, non-WASI imports become extern symbols and
    /// index spaces count imports first; exported state gets references.
    @Test func hostImportsBindToSymbols() throws {
        var builder = ModuleBuilder()
        builder.importFunction("spectest", "print_i32", [.i32], [])
        builder.module.imports.append(Import(module: "spectest", name: "global_i32",
                                             descriptor: .global(GlobalType(valueType: .i32, isMutable: false))))
        builder.module.imports.append(Import(module: "m", name: "tab",
                                             descriptor: .table(TableType(elementType: .funcref, limits: Limits(min: 1, max: nil)))))
        // Global 1 in the index space: the import comes first.
        let own = builder.global(.i32, mutable: true, .globalGet(0)) + 1
        builder.table(1, 8)
        builder.function([], [.i32], export: "grow", [.refNull(.funcref), .i32(1), .tableGrow(1)])
        builder.function([], [.i32], export: "f", [.globalGet(0), .call(0), .globalGet(own), .tableSize(1), .op(.i32Add)])
        builder.module.exports.append(Export(name: "g", descriptor: .global(own)))
        builder.module.exports.append(Export(name: "t", descriptor: .table(0)))
        let options = LoweringOptions(exportPrefix: "x_", hostImportPrefix: "h_")
        let lowered = try CLowering.lower(builder.module, options: options)
        let header = lowered.files[0].contents
        let unit = try #require(lowered.files.first { $0.name == "module_0.c" }?.contents)
        #expect(header.contains("extern void h_spectest_0print__i32(uint32_t);"))
        #expect(header.contains("extern uint32_t h_spectest_0global__i32;"))
        #expect(header.contains("extern wc_table h_m_0tab;"))
        #expect(unit.contains("g1 = h_spectest_0global__i32;"))  // global 1 is the first defined one
        #expect(unit.contains("h_spectest_0print__i32(h_spectest_0global__i32);"))
        #expect(unit.contains("t1.size"))
        #expect(unit.contains("WC_LINK wc_table t1 = {t1_elems, 1u, 8u};"))  // room to grow table 1
        #expect(unit.contains("uint32_t *x__0g(void) {\n  return (uint32_t *)&g1;\n}"))
        #expect(unit.contains("wc_table *x__0t(void) {\n  return &h_m_0tab;\n}"))
        #expect(CLowering.hostImportSymbol(prefix: "h_", module: "a_b", name: "c-d") == "h_a__b_0c_x2dd")

        // Without the option the guest contract is unchanged: such imports are refused.
        #expect(throws: LoweringError.self) { try CLowering.lower(builder.module, options: LoweringOptions(exportPrefix: "x_")) }
    }
}

/// Signalling NaNs are quieted by arithmetic even where clang would fold
/// the operation away (x - 0.0, x * 1.0, x / -1.0, -0.0 - x, demote of a
/// promote).
struct SignallingNaNTests {
    @Test func foldableArithmeticQuietsNaN() throws {
        var builder = ModuleBuilder()
        builder.function([.f32], [.f32], export: "subZero", [.get(0), .f32(0), .op(.f32Sub)])
        builder.function([.f32], [.f32], export: "negZeroSub", [.f32(-0.0), .get(0), .op(.f32Sub)])
        builder.function([.f64], [.f64], export: "mulOne", [.get(0), .f64(1), .op(.f64Mul)])
        builder.function([.f64], [.f64], export: "divNegOne", [.get(0), .f64(-1), .op(.f64Div)])
        builder.function([.f32], [.f32], export: "promoteDemote", [.get(0), .op(.f64PromoteF32), .op(.f32DemoteF64)])
        let signalling32 = Value.f32(bits: 0x7FA0_0000)
        let signalling64 = Value.f64(bits: 0x7FF4_0000_0000_0000)
        try ExportRunner.check(builder.module, [
            Call("subZero", [signalling32], .f32NaN),
            Call("negZeroSub", [signalling32], .f32NaN),
            Call("mulOne", [signalling64], .f64NaN),
            Call("divNegOne", [signalling64], .f64NaN),
            Call("promoteDemote", [signalling32], .f32NaN),
            Call("subZero", [.float(1.5)], .float(1.5)),
            Call("divNegOne", [.double(2)], .double(-2)),
        ])
    }
}
