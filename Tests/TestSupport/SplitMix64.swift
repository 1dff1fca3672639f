/// A small seeded generator (SplitMix64) for tests whose random cases must be the same in every
/// run, so that a failure reproduces.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound (a plain remainder: the tests need variety, not uniformity).
    public mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
