/// x86-64 instruction-set extensions an image's code may execute. The
/// monitor refuses to boot an image whose features the host CPU lacks, so
/// code compiled for a newer CPU never meets an invalid-opcode fault.
///
/// Bit positions are part of the image format: never renumber them.
public struct CPUFeatures: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let sse2 = CPUFeatures(rawValue: 1 << 0)
    public static let sse3 = CPUFeatures(rawValue: 1 << 1)
    public static let ssse3 = CPUFeatures(rawValue: 1 << 2)
    public static let sse41 = CPUFeatures(rawValue: 1 << 3)
    public static let sse42 = CPUFeatures(rawValue: 1 << 4)
    public static let popcnt = CPUFeatures(rawValue: 1 << 5)
    public static let cx16 = CPUFeatures(rawValue: 1 << 6)
    public static let lahfLM = CPUFeatures(rawValue: 1 << 7)
    public static let avx = CPUFeatures(rawValue: 1 << 8)
    public static let avx2 = CPUFeatures(rawValue: 1 << 9)
    public static let bmi1 = CPUFeatures(rawValue: 1 << 10)
    public static let bmi2 = CPUFeatures(rawValue: 1 << 11)
    public static let lzcnt = CPUFeatures(rawValue: 1 << 12)
    public static let fma = CPUFeatures(rawValue: 1 << 13)
    public static let movbe = CPUFeatures(rawValue: 1 << 14)

    /// Every bit this version of the format defines; any other bit set in a
    /// header is a feature this runtime cannot check, so the image is refused.
    public static let known = CPUFeatures(rawValue: (1 << 15) - 1)

    /// The x86-64 baseline every 64-bit CPU has (clang's default `-march=x86-64`).
    public static let x86_64: CPUFeatures = [.sse2]
    /// `-march=x86-64-v2` (Nehalem, 2008, and every x86-64 CPU since).
    public static let x86_64_v2: CPUFeatures = [.sse2, .sse3, .ssse3, .sse41, .sse42, .popcnt, .cx16, .lahfLM]
    /// `-march=x86-64-v3` (Haswell and later).
    public static let x86_64_v3: CPUFeatures = x86_64_v2.union([.avx, .avx2, .bmi1, .bmi2, .lzcnt, .fma, .movbe])

    static let names: [(CPUFeatures, String)] = [
        (.sse2, "sse2"), (.sse3, "sse3"), (.ssse3, "ssse3"), (.sse41, "sse4.1"), (.sse42, "sse4.2"),
        (.popcnt, "popcnt"), (.cx16, "cx16"), (.lahfLM, "lahf_lm"), (.avx, "avx"), (.avx2, "avx2"),
        (.bmi1, "bmi1"), (.bmi2, "bmi2"), (.lzcnt, "lzcnt"), (.fma, "fma"), (.movbe, "movbe"),
    ]

    /// Space-separated names as /proc/cpuinfo spells them, e.g. "sse2 sse4.1".
    public var description: String {
        var parts = Self.names.filter { contains($0.0) }.map(\.1)
        let unknown = subtracting(.known).rawValue
        if unknown != 0 { parts.append("unknown(0x\(String(unknown, radix: 16)))") }
        return parts.joined(separator: " ")
    }
}
