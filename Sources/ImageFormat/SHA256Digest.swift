/// A 32-byte SHA-256 digest, held as four big-endian words so it is a plain
/// value (no allocation, cheap equality).
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32

    var high, midHigh, midLow, low: UInt64

    @usableFromInline
    init(high: UInt64, midHigh: UInt64, midLow: UInt64, low: UInt64) {
        self.high = high
        self.midHigh = midHigh
        self.midLow = midLow
        self.low = low
    }

    /// All zero: the digest field of an image part that is not there.
    public static let zero = SHA256Digest(high: 0, midHigh: 0, midLow: 0, low: 0)

    /// nil unless `bytes` is exactly 32 bytes long. Inlinable so that callers get a version
    /// for their collection type: the generic one looked up its iterator's types at run time
    /// on first use, tens of microseconds of every create.
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        var index = 0
        for byte in bytes {
            words[index / 8] = words[index / 8] << 8 | UInt64(byte)
            index += 1
        }
        self.init(high: words[0], midHigh: words[1], midLow: words[2], low: words[3])
    }

    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Self.byteCount)
        for word in [high, midHigh, midLow, low] {
            for shift in stride(from: 56, through: 0, by: -8) {
                result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return result
    }

    /// Lowercase hexadecimal, 64 characters.
    public var hex: String {
        SHA256Digest.hex(bytes)
    }

    public var description: String { hex }

    /// Lowercase hexadecimal of any bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
