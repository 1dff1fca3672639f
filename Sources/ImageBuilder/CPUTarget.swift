import ImageFormat

/// The x86-64 level an image's code is compiled for: what clang may assume
/// (`-march`) and what the image header records, so the monitor refuses a
/// host that lacks it. Part of the cache key through the compile flags.
/// MEWZ_CPU_TARGET chooses: `x86-64-v2`, `x86-64-v3`, or `host` (the
/// default: the best level the building host's CPU has).
public enum CPUTarget: String, Sendable, CaseIterable {
    /// SSE4.2 and POPCNT (every x86-64 CPU since 2008): SIMD lowers to
    /// SSE4.1 and older instructions.
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

    /// The highest level `host` has every feature of (x86-64-v2 when it
    /// lacks even those: the monitor then refuses the image in one line).
    public static func best(for host: CPUFeatures) -> CPUTarget {
        host.isSuperset(of: CPUTarget.x86_64_v3.features) ? .x86_64_v3 : .x86_64_v2
    }

    /// MEWZ_CPU_TARGET; unset, empty or `host`: the best level for `host`.
    static func resolve(environment: [String: String], host: CPUFeatures) throws(ImageBuildError) -> CPUTarget {
        let value = environment[environmentVariable] ?? ""
        if value.isEmpty || value == "host" { return best(for: host) }
        guard let target = CPUTarget(rawValue: value) else {
            throw .unknownCPUTarget(value, known: allCases.map(\.rawValue) + ["host"])
        }
        return target
    }
}
