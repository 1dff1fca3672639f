import Testing
import WasmCore
import WasmToC

/// Lane immediates (extract_lane, replace_lane at every lane index),
/// shuffles, constants, and v128 values through locals, globals, select,
/// blocks and calls (the C ABI of generated functions).
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct SIMDLaneTests {
    static let laneOperators: [SIMDOperator] = SIMDOperator.allCases.filter { $0.immediates == .lane }

    @Test(arguments: VectorHarness.targets)
    func extractAndReplaceEveryLane(flags: [String]) throws {
        var checks: [VectorCheck] = []
        for op in Self.laneOperators {
            let shape = SIMDInputs.operandShape(op)
            let vectors = SIMDInputs.vectors(shape).map(VectorArgument.vector)
            let signature = op.signature
            for lane in 0..<(op.laneCount ?? 0) {
                let name = "\(op.name) \(lane)"
                if let result = signature.result, signature.operands == [.v128] {
                    checks.append(VectorCheck(.lane(op, UInt8(lane)), name: name, parameters: [.v128], result: result,
                                              arguments: [vectors]) { arguments in
                        guard case .vector(let a) = arguments[0] else { return nil }
                        return .scalar(LaneReference.extract(op, a, lane: lane))
                    })
                } else {
                    let scalar = signature.operands[1]
                    let scalars: [UInt64] = switch scalar {
                    case .f32: SIMDInputs.f32Lanes
                    case .f64: SIMDInputs.f64Lanes
                    case .i64: SIMDInputs.lanes64
                    default: SIMDInputs.lanes32 + [0x1FF, 0xFFFF_8001]
                    }
                    checks.append(VectorCheck(.lane(op, UInt8(lane)), name: name, parameters: [.v128, scalar],
                                              result: .v128,
                                              arguments: [Array(vectors.suffix(4)), scalars.map(VectorArgument.scalar)]) { arguments in
                        guard case .vector(let a) = arguments[0], case .scalar(let bits) = arguments[1] else { return nil }
                        return .vector(LaneReference.replace(op, a, lane: lane, bits))
                    })
                }
            }
        }
        #expect(checks.count == 2 * (16 + 8) + 2 * 4 + 2 * 2 + 2 * 4 + 2 * 2 + 16 + 8)
        try VectorHarness.run(checks, flags: flags)
    }

    static let shuffles: [[UInt8]] = [
        Array(0..<16), Array(16..<32), (0..<16).map { 15 - $0 }, (0..<16).map { $0 % 2 == 0 ? $0 / 2 : 16 + $0 / 2 },
        Array(repeating: 31, count: 16), [0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31],
        [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12], [30, 1, 28, 3, 26, 5, 24, 7, 22, 9, 20, 11, 18, 13, 16, 15],
    ]

    @Test(arguments: VectorHarness.targets)
    func shufflesPickFromBothOperands(flags: [String]) throws {
        let vectors = SIMDInputs.random(3, seed: 0x5157).map(VectorArgument.vector)
            + [.vector(V128(lanes: Array(0..<16), width: 8)), .vector(V128(lanes: Array(16..<32), width: 8))]
        let checks = Self.shuffles.map { indices in
            let immediate = V128(lanes: indices.map(UInt64.init), width: 8)
            return VectorCheck(.shuffle(immediate), name: "i8x16.shuffle \(indices)", parameters: [.v128, .v128],
                               result: .v128, arguments: [vectors, vectors]) { arguments in
                guard case .vector(let a) = arguments[0], case .vector(let b) = arguments[1] else { return nil }
                return .vector(LaneReference.shuffle(a, b, indices))
            }
        }
        try VectorHarness.run(checks, flags: flags)
    }

    /// Constants keep every bit (NaN payloads included), as locals,
    /// immutable and mutable globals, through select and block results.
    @Test(arguments: VectorHarness.targets)
    func valuesKeepTheirBits(flags: [String]) throws {
        let payloads = V128(lanes: [0x7FA0_0001, 0xFFC0_0000, 0x8000_0000, 0x7F80_0001], width: 32)
        let pattern = V128(low: 0x0123_4567_89AB_CDEF, high: 0xFEDC_BA98_7654_3210)
        var checks = [
            VectorCheck(.constant(payloads), name: "v128.const NaN payloads", parameters: [], result: .v128,
                        arguments: []) { _ in .vector(VectorExpectation(payloads)) },
            VectorCheck(name: "select", parameters: [.v128, .v128, .i32], result: .v128,
                        body: [.localGet(0), .localGet(1), .localGet(2), .select(nil)],
                        arguments: [[.vector(payloads)], [.vector(pattern)], [.scalar(0), .scalar(1), .scalar(0x8000_0000)]]) { arguments in
                guard case .scalar(let condition) = arguments[2] else { return nil }
                return .vector(VectorExpectation(condition != 0 ? payloads : pattern))
            },
            VectorCheck(name: "typed select", parameters: [.v128, .v128, .i32], result: .v128,
                        body: [.localGet(0), .localGet(1), .localGet(2), .select([.v128])],
                        arguments: [[.vector(pattern)], [.vector(payloads)], [.scalar(0), .scalar(7)]]) { arguments in
                guard case .scalar(let condition) = arguments[2] else { return nil }
                return .vector(VectorExpectation(condition != 0 ? pattern : payloads))
            },
            // A block yielding a v128, a branch carrying one out of a loop.
            VectorCheck(name: "block and loop results", parameters: [.v128, .i32], result: .v128,
                        body: [
                            .block(.value(.v128)),
                            .loop(.empty),
                            .localGet(0), .localGet(0), .vector(.plain(.i32x4Add)), .localSet(0),
                            .localGet(0), .localGet(1), .i32Const(1), .numeric(.i32Sub), .localTee(1),
                            .numeric(.i32Eqz), .brIf(1), .drop,
                            .br(0),
                            .end,
                            .vector(.constant(pattern)),
                            .end,
                        ],
                        arguments: [[.vector(pattern)], [.scalar(1), .scalar(3)]]) { arguments in
                guard case .vector(let a) = arguments[0], case .scalar(let count) = arguments[1] else { return nil }
                let doubled = a.lanes(32).map { $0 << count }
                return .vector(VectorExpectation(width: 32, lanes: doubled.map { .bits($0 & 0xFFFF_FFFF) }))
            },
            VectorCheck(name: "zeroed local", parameters: [], result: .v128, locals: [.v128], body: [.localGet(0)],
                        arguments: []) { _ in .vector(VectorExpectation(V128(low: 0, high: 0))) },
        ]
        checks.append(VectorCheck(name: "v128 in and out unchanged", parameters: [.v128], result: .v128,
                                  body: [.localGet(0)], arguments: [[.vector(payloads), .vector(pattern)]]) { arguments in
            guard case .vector(let a) = arguments[0] else { return nil }
            return .vector(VectorExpectation(a))
        })
        try VectorHarness.run(checks, flags: flags)
    }

    /// v128 globals (immutable constant, mutable), calls with v128
    /// parameters and a multi-value result mixing v128 and i32, and
    /// call_indirect of a v128 signature.
    @Test(arguments: VectorHarness.targets)
    func globalsAndCalls(flags: [String]) throws {
        let payloads = V128(lanes: [0x7FA0_0001, 0xFFC0_0000, 0x8000_0000, 0x7F80_0001], width: 32)
        let pattern = V128(low: 0x0123_4567_89AB_CDEF, high: 0xFEDC_BA98_7654_3210)
        var builder = ModuleBuilder()
        let constant = builder.global(.v128, mutable: false, .v128(bytes: payloads.bytes))
        let variable = builder.global(.v128, mutable: true, .v128(bytes: pattern.bytes))
        // swap(a, n, b) = (b, n + 1, a)
        let swap = builder.function([.v128, .i32, .v128], [.v128, .i32, .v128], [
            .localGet(2), .localGet(1), .i32Const(1), .numeric(.i32Add), .localGet(0),
        ])
        let negate = builder.function([.v128], [.v128], [.localGet(0), .vector(.plain(.i32x4Neg))])
        builder.table(1)
        builder.elements(at: 0, [negate])
        let negateType = builder.type([.v128], [.v128])
        let vectors = [payloads, pattern].map(VectorArgument.vector)
        let checks = [
            VectorCheck(name: "immutable global", parameters: [], result: .v128, body: [.globalGet(constant)],
                        arguments: []) { _ in .vector(VectorExpectation(payloads)) },
            VectorCheck(name: "mutable global set and get", parameters: [.v128], result: .v128,
                        body: [.globalGet(variable), .drop, .localGet(0), .globalSet(variable), .globalGet(variable)],
                        arguments: [vectors]) { arguments in
                guard case .vector(let a) = arguments[0] else { return nil }
                return .vector(VectorExpectation(a))
            },
            // (b', n', a') = swap(a, 5, b); replace_lane(b', 0, n') ^ a'
            VectorCheck(name: "multi-value call", parameters: [.v128, .v128], result: .v128, locals: [.v128, .i32, .v128],
                        body: [
                            .localGet(0), .i32Const(5), .localGet(1), .call(swap),
                            .localSet(2), .localSet(3), .localSet(4),
                            .localGet(4), .localGet(3), .vector(.lane(.i32x4ReplaceLane, 0)), .localGet(2),
                            .vector(.plain(.v128Xor)),
                        ],
                        arguments: [vectors, vectors]) { arguments in
                guard case .vector(let a) = arguments[0], case .vector(let b) = arguments[1] else { return nil }
                var lanes = b.lanes(32)
                lanes[0] = 6
                let replaced = V128(lanes: lanes, width: 32)
                return .vector(VectorExpectation(V128(low: replaced.low ^ a.low, high: replaced.high ^ a.high)))
            },
            VectorCheck(name: "call_indirect", parameters: [.v128], result: .v128,
                        body: [.localGet(0), .i32Const(0), .callIndirect(typeIndex: negateType, table: 0)],
                        arguments: [vectors]) { arguments in
                guard case .vector(let a) = arguments[0] else { return nil }
                return LaneReference.unary(.i32x4Neg, a).map(VectorResult.vector)
            },
        ]
        try VectorHarness.run(checks, flags: flags, module: builder)
    }
}
