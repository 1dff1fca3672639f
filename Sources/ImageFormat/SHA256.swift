/// SHA-256 (FIPS 180-4), streaming: feed bytes with `update`, read the
/// digest with `finalize`. Written here rather than imported so the pure
/// core needs neither Foundation nor a system library; whole blocks go
/// through the CPU's SHA extensions when it has them (SHA256State).
public struct SHA256: Sendable {
    private var state: SHA256State = .initial
    /// Bytes of an unfinished 64-byte block.
    private var pending: [UInt8] = []
    /// Message length in bytes so far.
    private var length: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        length &+= UInt64(bytes.count)
        var start = 0
        if !pending.isEmpty {
            let take = min(SHA256State.blockSize - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            start = take
            guard pending.count == SHA256State.blockSize else { return }
            pending.withUnsafeBytes { state.compress(wholeBlocksOf: $0) }
            pending.removeAll(keepingCapacity: true)
        }
        let wholeBlocks = (bytes.count - start) / SHA256State.blockSize
        if wholeBlocks > 0 {
            state.compress(blocks: base + start, count: wholeBlocks)
            start += wholeBlocks * SHA256State.blockSize
        }
        if start < bytes.count {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: bytes.count - start))
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of everything fed so far (the hasher itself is unchanged).
    public func finalize() -> SHA256Digest {
        // Padding: 0x80, zeros up to 56 mod 64, then the length in bits.
        var tail = pending
        tail.append(0x80)
        let zeros = (SHA256State.blockSize + 56 - tail.count % SHA256State.blockSize) % SHA256State.blockSize
        tail.append(contentsOf: repeatElement(0, count: zeros))
        let bitLength = length &* 8
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        var final = state
        tail.withUnsafeBytes { final.compress(wholeBlocksOf: $0) }
        return final.digest
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hash(_ bytes: [UInt8]) -> SHA256Digest {
        bytes.withUnsafeBytes { hash($0) }
    }
}
