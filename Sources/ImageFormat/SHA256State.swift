import CSHA256

/// The eight working words of SHA-256 and its compression function: the
/// CPU's SHA extensions when it has them (CSHA256), else the Swift rounds.
struct SHA256State: Sendable {
    static let blockSize = 64

    var h0, h1, h2, h3, h4, h5, h6, h7: UInt32

    /// FIPS 180-4 §5.3.3.
    static let initial = SHA256State(
        h0: 0x6a09_e667, h1: 0xbb67_ae85, h2: 0x3c6e_f372, h3: 0xa54f_f53a,
        h4: 0x510e_527f, h5: 0x9b05_688c, h6: 0x1f83_d9ab, h7: 0x5be0_cd19)

    /// FIPS 180-4 §4.2.2, the table the SHA-NI rounds read too (CSHA256).
    static let roundConstants = UnsafeBufferPointer(start: csha256_round_constants(), count: 64)

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x &>> n) | (x &<< (32 &- n))
    }

    /// Processes every whole 64-byte block of `bytes` (a partial tail is ignored).
    mutating func compress(wholeBlocksOf bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        compress(blocks: base, count: bytes.count / Self.blockSize)
    }

    /// Whether the CPU has the SHA extensions (asked once per process).
    static let hasSHAExtensions = csha256_available() != 0

    /// Processes `count` consecutive 64-byte blocks starting at `blocks`.
    mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        guard Self.hasSHAExtensions else { return compressPortable(blocks: blocks, count: count) }
        // Through a tuple: the C side wants h0...h7 contiguous, which a struct's layout does not promise.
        var words = (h0, h1, h2, h3, h4, h5, h6, h7)
        withUnsafeMutableBytes(of: &words) { words in
            csha256_compress(
                words.baseAddress!.assumingMemoryBound(to: UInt32.self),
                blocks.assumingMemoryBound(to: UInt8.self), count)
        }
        (h0, h1, h2, h3, h4, h5, h6, h7) = words
    }

    /// The Swift rounds: every CPU's path without the SHA extensions, and the tests' reference.
    mutating func compressPortable(blocks: UnsafeRawPointer, count: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for block in 0..<count {
                compressOne(blocks + block * Self.blockSize, Self.roundConstants, w)
            }
        }
    }

    @inline(__always)
    private mutating func compressOne(
        _ block: UnsafeRawPointer, _ k: UnsafeBufferPointer<UInt32>, _ w: UnsafeMutableBufferPointer<UInt32>
    ) {
        for t in 0..<16 {
            w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
        }
        for t in 16..<64 {
            let x = w[t - 15], y = w[t - 2]
            let s0 = Self.rotr(x, 7) ^ Self.rotr(x, 18) ^ (x &>> 3)
            let s1 = Self.rotr(y, 17) ^ Self.rotr(y, 19) ^ (y &>> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
        for t in 0..<64 {
            let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ k[t] &+ w[t]
            let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ t2
        }
        h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
        h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
    }

    var digest: SHA256Digest {
        SHA256Digest(
            high: UInt64(h0) << 32 | UInt64(h1), midHigh: UInt64(h2) << 32 | UInt64(h3),
            midLow: UInt64(h4) << 32 | UInt64(h5), low: UInt64(h6) << 32 | UInt64(h7))
    }
}
