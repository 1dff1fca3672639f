import Testing
import WasmCore
import WasmToC

/// The SIMD lowering never trusts its input: random (mostly invalid)
/// sequences of vector instructions, with any operator in any case and any
/// lane, give a LoweringError or C, never a crash.
struct SIMDRobustnessTests {
    @Test(arguments: 0..<4)
    func randomVectorBodiesNeverCrash(seed: Int) {
        var g = RobustnessTests.Generator(state: 0xD1B5_4A32_D192_ED03 &+ UInt64(seed) &* 0x2545_F491)
        let operators = SIMDOperator.allCases
        var lowered = 0
        for _ in 0..<300 {
            var builder = ModuleBuilder()
            if g.next(2) == 0 { builder.memory(1) }
            let body: [Instruction] = (0..<g.next(16)).map { _ in
                let op = operators[g.next(operators.count)]
                let memarg = MemoryArgument(align: UInt32(g.next(6)), offset: UInt32(g.next(70_000)))
                let lane = UInt8(g.next(40))
                let bytes = V128(low: UInt64(g.next(Int.max)), high: UInt64(g.next(Int.max)))
                switch g.next(9) {
                case 0: return .vector(.memory(op, memarg))
                case 1: return .vector(.lane(op, lane))
                case 2: return .vector(.memoryLane(op, memarg, lane: lane))
                case 3: return .vector(.constant(bytes))
                case 4: return .vector(.shuffle(bytes))
                case 5: return .localGet(UInt32(g.next(3)))
                case 6: return .i32Const(UInt32(g.next(64)))
                default: return .vector(.plain(op))
                }
            }
            builder.function([.v128, .i32], g.next(2) == 0 ? [] : [.v128], locals: [.v128], export: "_start", body)
            if (try? CLowering.lower(builder.module, options: LoweringOptions())) != nil { lowered += 1 }
        }
        #expect(lowered < 300)
    }
}
