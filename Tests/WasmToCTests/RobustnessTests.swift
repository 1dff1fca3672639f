import Testing
import WasmCore
import WasmToC

/// Lowering never trusts the module: arbitrary (mostly invalid) bodies and
/// indices give a LoweringError or C, never a crash.
struct RobustnessTests {
    /// A small deterministic generator (xorshift), so failures replay.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
    }

    static func randomInstruction(_ g: inout Generator) -> Instruction {
        let small = UInt32(g.next(5))
        let types: [ValueType] = [.i32, .i64, .f32, .f64, .funcref, .externref, .v128]
        let blockTypes: [BlockType] = [.empty, .value(types[g.next(types.count)]), .typeIndex(small)]
        let palette: [Instruction] = [
            .unreachable, .nop, .block(blockTypes[g.next(3)]), .loop(blockTypes[g.next(3)]),
            .if(blockTypes[g.next(3)]), .else, .end, .br(small), .brIf(small),
            .brTable(targets: [small, UInt32(g.next(3))], default: small), .return, .call(small),
            .callIndirect(typeIndex: small, table: UInt32(g.next(2))), .refNull(types[g.next(types.count)]),
            .refIsNull, .refFunc(small), .drop, .select(nil), .select([types[g.next(types.count)]]),
            .localGet(small), .localSet(small), .localTee(small), .globalGet(small), .globalSet(small),
            .tableGet(small), .tableSet(small), .tableInit(element: small, table: 0), .elemDrop(small),
            .tableCopy(destination: 0, source: small), .tableGrow(small), .tableSize(small), .tableFill(small),
            .load(LoadOperator.allCases[g.next(LoadOperator.allCases.count)], MemoryArgument(align: 0, offset: small)),
            .store(StoreOperator.allCases[g.next(StoreOperator.allCases.count)], MemoryArgument(align: 0, offset: small)),
            .memorySize, .memoryGrow, .memoryInit(small), .dataDrop(small), .memoryCopy, .memoryFill,
            .i32Const(small), .i64Const(UInt64(small)), .f32Const(bits: small), .f64Const(bits: UInt64(small)),
            .numeric(NumericOperator.allCases[g.next(NumericOperator.allCases.count)]),
        ]
        return palette[g.next(palette.count)]
    }

    @Test(arguments: 0..<8)
    func randomBodiesNeverCrash(seed: Int) {
        var g = Generator(state: 0x9E37_79B9_7F4A_7C15 &+ UInt64(seed) &* 0x1000_0001)
        var lowered = 0
        for _ in 0..<400 {
            var builder = ModuleBuilder()
            if g.next(2) == 0 { builder.memory(1) }
            if g.next(2) == 0 { builder.table(2) }
            if g.next(2) == 0 { builder.global(.i32, mutable: true, .i32(0)) }
            if g.next(2) == 0 { builder.passiveData([1, 2]) }
            if g.next(2) == 0 { builder.passiveElements([nil]) }
            let parameters: [ValueType] = g.next(2) == 0 ? [] : [.i32]
            let body = (0..<g.next(24)).map { _ in Self.randomInstruction(&g) }
            builder.function(parameters, g.next(2) == 0 ? [] : [.i32], locals: [.i64], export: "_start", body)
            var module = builder.module
            if g.next(8) == 0 { module.code[0].offsets = [] }
            if (try? CLowering.lower(module, options: LoweringOptions(translationUnits: 1 + g.next(3)))) != nil {
                lowered += 1
            }
        }
        #expect(lowered < 400)  // most random bodies are rejected, none crash
    }
}
