import Testing
import WasmCore
import WasmToC

/// Every SIMD operator without immediates, family by family, run through
/// the generated C on edge values (NaN payloads, -0.0, INT_MIN, lane
/// boundaries, out-of-range shift counts and swizzle indices) and compared
/// lane by lane with the plain-Swift reference (Support/LaneReference.swift).
/// Each family is compiled for the x86-64-v2 baseline and, where the host
/// has it, for x86-64-v3 (AVX2).
@Suite(.enabled(if: HostHarness.available, "needs clang"))
struct SIMDOperatorTests {
    /// A group of operators compiled into one module.
    struct Family: CustomStringConvertible, Sendable {
        var description: String
        var operators: [SIMDOperator]
    }

    static let comparisonSuffixes = [".eq", ".ne", ".lt", ".gt", ".le", ".ge"]

    static func isComparison(_ op: SIMDOperator) -> Bool {
        comparisonSuffixes.contains { op.name.contains($0) } && op.signature == SIMDOperator.i8x16Eq.signature
    }

    static let families: [Family] = {
        let plain = SIMDOperator.allCases.filter { $0.immediates == .none }
        func isFloat(_ op: SIMDOperator) -> Bool { op.name.hasPrefix("f") || op.name.contains("_f") }
        let binary = plain.filter { $0.signature.operands == [.v128, .v128] }
        let unary = plain.filter { $0.signature.operands == [.v128] && $0.signature.result == .v128 }
        return [
            Family(description: "integer comparisons", operators: binary.filter { isComparison($0) && !isFloat($0) }),
            Family(description: "float comparisons", operators: binary.filter { isComparison($0) && isFloat($0) }),
            Family(description: "integer lane arithmetic and bitwise",
                   operators: binary.filter { !isComparison($0) && !isFloat($0) }
                       + unary.filter { !isFloat($0) } + [.v128Bitselect]),
            Family(description: "float lane arithmetic", operators: binary.filter { !isComparison($0) && isFloat($0) }),
            Family(description: "float rounding and conversions", operators: unary.filter(isFloat)),
            Family(description: "shifts", operators: plain.filter { $0.signature.operands == [.v128, .i32] }),
            Family(description: "any_true, all_true, bitmask", operators: plain.filter { $0.signature.result == .i32 }),
            Family(description: "splats", operators: plain.filter { $0.signature.operands.first != .v128 }),
        ]
    }()

    @Test func familiesCoverEveryOperatorWithoutImmediates() {
        let covered = Set(Self.families.flatMap(\.operators))
        let all = Set(SIMDOperator.allCases.filter { $0.immediates == .none })
        #expect(covered == all, "not covered: \(all.subtracting(covered).map(\.name).sorted())")
        #expect(Self.families.map(\.operators.count).reduce(0, +) == all.count, "an operator is in two families")
    }

    @Test(arguments: families, VectorHarness.targets)
    func family(_ family: Family, flags: [String]) throws {
        try VectorHarness.run(family.operators.map(Self.check), flags: flags)
    }

    /// The check of one operator: its inputs by signature and operand shape.
    static func check(_ op: SIMDOperator) -> VectorCheck {
        let vectors = SIMDInputs.vectors(SIMDInputs.operandShape(op)).map(VectorArgument.vector)
        let signature = op.signature
        let result = signature.result ?? .v128
        switch signature.operands {
        case [.v128]:
            return VectorCheck(.plain(op), parameters: [.v128], result: result, arguments: [vectors]) { arguments in
                guard case .vector(let a) = arguments[0] else { return nil }
                if result == .i32 { return LaneReference.test(op, a).map { .scalar(UInt64($0)) } }
                return LaneReference.unary(op, a).map(VectorResult.vector)
            }
        case [.v128, .v128]:
            let second = op == .i8x16Swizzle ? SIMDInputs.swizzleIndices.map(VectorArgument.vector) + vectors : vectors
            return VectorCheck(.plain(op), parameters: [.v128, .v128], result: .v128, arguments: [vectors, second]) { arguments in
                guard case .vector(let a) = arguments[0], case .vector(let b) = arguments[1] else { return nil }
                return LaneReference.binary(op, a, b).map(VectorResult.vector)
            }
        case [.v128, .v128, .v128]:
            let few = Array(vectors.prefix(6))
            let masks = [V128(low: 0xFFFF_0000_FF00_F0F0, high: 0x0123_4567_89AB_CDEF), V128(low: 0, high: ~0)]
            return VectorCheck(.plain(op), parameters: [.v128, .v128, .v128], result: .v128,
                               arguments: [few, few, masks.map(VectorArgument.vector) + few]) { arguments in
                guard case .vector(let a) = arguments[0], case .vector(let b) = arguments[1],
                      case .vector(let c) = arguments[2] else { return nil }
                return .vector(LaneReference.bitselect(a, b, c))
            }
        case [.v128, .i32]:
            return VectorCheck(.plain(op), parameters: [.v128, .i32], result: .v128,
                               arguments: [vectors, SIMDInputs.shiftCounts.map(VectorArgument.scalar)]) { arguments in
                guard case .vector(let a) = arguments[0], case .scalar(let count) = arguments[1] else { return nil }
                return LaneReference.shift(op, a, UInt32(count)).map(VectorResult.vector)
            }
        default:  // splats of a scalar
            let scalar = signature.operands.first ?? .i32
            let scalars: [UInt64] = switch scalar {
            case .i64: SIMDInputs.lanes64
            case .f32: SIMDInputs.f32Lanes
            case .f64: SIMDInputs.f64Lanes
            default: SIMDInputs.lanes32 + [0x0000_017F, 0xFFFF_FF80]
            }
            return VectorCheck(.plain(op), parameters: [scalar], result: .v128,
                               arguments: [scalars.map(VectorArgument.scalar)]) { arguments in
                guard case .scalar(let bits) = arguments[0] else { return nil }
                return .vector(LaneReference.splat(op, bits))
            }
        }
    }
}
