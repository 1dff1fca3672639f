/// A cursor over the whole module's bytes with the binary format's value
/// encodings (LEB128, little-endian floats, names).
///
/// Like the spec's reference decoder, sections and function bodies are not
/// cut into sub-streams: every read is bounded by the end of the module, and
/// the section decoder compares the position with the declared size after
/// the fact. That is what makes the error text match the spec suite's (a
/// body that runs past its size reports "section size mismatch", one that
/// runs past the module "unexpected end of section or function").
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position: Int

    init(bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position >= bytes.count }
    var remainingCount: Int { bytes.count - position }

    func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    mutating func readByte() throws(DecodeError) -> UInt8 {
        guard position < bytes.count else { throw .unexpectedEnd(at: bytes.count) }
        let byte = bytes[position]
        position += 1
        return byte
    }

    /// Reads `count` raw bytes; a negative count (a length computed from a
    /// too-short section) is an unexpected end, as in the reference decoder.
    mutating func readBytes(_ count: Int) throws(DecodeError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remainingCount else { throw .unexpectedEnd(at: bytes.count) }
        let slice = bytes[position..<position + count]
        position += count
        return slice
    }

    mutating func skip(_ count: Int) throws(DecodeError) {
        guard count >= 0, count <= remainingCount else { throw .unexpectedEnd(at: bytes.count) }
        position += count
    }

    /// Expects the single byte 0x00 (reserved memory and table immediates).
    mutating func readZeroByte() throws(DecodeError) {
        let start = position
        guard try readByte() == 0 else { throw .zeroByteExpected(at: start) }
    }

    mutating func readUInt32LittleEndian() throws(DecodeError) -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) {
            value |= UInt32(try readByte()) << UInt32(shift)
        }
        return value
    }

    mutating func readUInt64LittleEndian() throws(DecodeError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) {
            value |= UInt64(try readByte()) << UInt64(shift)
        }
        return value
    }
}

// MARK: - LEB128

extension ByteReader {
    /// An unsigned LEB128 of at most `bits` bits: at most ceil(bits / 7)
    /// bytes, and the unused bits of the last byte must be zero.
    mutating func readUnsignedLEB(bits: Int) throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var remainingBits = bits
        while true {
            guard remainingBits > 0 else { throw .integerRepresentationTooLong(at: position) }
            let byte = try readByte()
            if remainingBits < 7 && UInt64(byte & 0x7F) >= (1 << UInt64(remainingBits)) {
                throw .integerTooLarge(at: position - 1)
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            remainingBits -= 7
        }
    }

    /// A signed LEB128 of at most `bits` bits: at most ceil(bits / 7) bytes,
    /// and the unused bits of the last byte must all equal the sign bit.
    mutating func readSignedLEB(bits: Int) throws(DecodeError) -> Int64 {
        var result: Int64 = 0
        var shift: Int64 = 0
        var remainingBits = bits
        while true {
            guard remainingBits > 0 else { throw .integerRepresentationTooLong(at: position) }
            let byte = try readByte()
            if remainingBits < 7 {
                // The sign bit and the bits above it, within the 7 payload bits.
                let mask = UInt8(truncatingIfNeeded: -1 << (remainingBits - 1)) & 0x7F
                let unused = byte & mask
                if unused != 0 && unused != mask { throw .integerTooLarge(at: position - 1) }
            }
            result |= Int64(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 { result |= -1 << shift }
                return result
            }
            remainingBits -= 7
        }
    }

    mutating func readVarUInt32() throws(DecodeError) -> UInt32 {
        // Fast path: most indices and counts fit in one byte.
        if position < bytes.count, bytes[position] < 0x80 {
            let byte = bytes[position]
            position += 1
            return UInt32(byte)
        }
        return UInt32(truncatingIfNeeded: try readUnsignedLEB(bits: 32))
    }

    mutating func readVarInt32() throws(DecodeError) -> Int32 {
        Int32(truncatingIfNeeded: try readSignedLEB(bits: 32))
    }

    mutating func readVarInt33() throws(DecodeError) -> Int64 {
        try readSignedLEB(bits: 33)
    }

    mutating func readVarInt64() throws(DecodeError) -> Int64 {
        try readSignedLEB(bits: 64)
    }

    /// A one-byte signed LEB128 (`vs7`), used for type constructors: a
    /// continuation bit makes the representation too long.
    mutating func readTypeCode() throws(DecodeError) -> UInt8 {
        let byte = try readByte()
        guard byte & 0x80 == 0 else { throw .integerRepresentationTooLong(at: position) }
        return byte
    }
}

// MARK: - Lengths and names

extension ByteReader {
    /// A u32 length or count. It may not exceed the bytes left in the module
    /// counted from the start of its own encoding (the reference decoder's
    /// bound), so it is also safe to reserve capacity for.
    mutating func readLength() throws(DecodeError) -> Int {
        let start = position
        let length = Int(try readVarUInt32())
        guard length <= bytes.count - start else { throw .lengthOutOfBounds(at: start) }
        return length
    }

    /// A length-prefixed UTF-8 name.
    mutating func readName() throws(DecodeError) -> String {
        let start = position
        let length = try readLength()
        let utf8 = try readBytes(length)
        guard let name = String(validating: utf8, as: UTF8.self) else { throw .malformedUTF8(at: start) }
        return name
    }
}
