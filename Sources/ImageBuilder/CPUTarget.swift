import ImageFormat

/// The x86-64 level an image's code is compiled for: what clang may assume
/// (`-march`) and what the image header records, so the monitor refuses a
/// host that lacks it. Chosen with MEWZ_CPU_TARGET; part of the cache key
/// through the compile flags.
public enum CPUTarget: String, Sendable, CaseIterable {
    /// SSE4.2 and POPCNT (every x86-64 CPU since 2008): SIMD lowers to
    /// SSE4.1 and older instructions. The default.
    case x86_64_v2 = "x86-64-v2"
    /// Adds AVX2, BMI1/2, FMA, LZCNT and MOVBE (Haswell, 2013, and later):
    /// SIMD takes the VEX forms (three operands, broadcasts), and the
    /// image runs only on such hosts. FMA is never used for Wasm
    /// arithmetic (-ffp-contract=off).
    case x86_64_v3 = "x86-64-v3"

    public static let environmentVariable = "MEWZ_CPU_TARGET"

    /// The features the header records.
    public var features: CPUFeatures {
        switch self {
        case .x86_64_v2: .x86_64_v2
        case .x86_64_v3: .x86_64_v3
        }
    }

    var marchFlag: String { "-march=" + rawValue }

    /// MEWZ_CPU_TARGET, x86-64-v2 when unset or empty.
    static func resolve(environment: [String: String]) throws(ImageBuildError) -> CPUTarget {
        guard let value = environment[environmentVariable], !value.isEmpty else { return .x86_64_v2 }
        guard let target = CPUTarget(rawValue: value) else {
            throw .unknownCPUTarget(value, known: allCases.map(\.rawValue))
        }
        return target
    }
}
