import Testing
@testable import WasmCore

/// LEB128 and name decoding, against the rules the spec suite's
/// binary-leb128 and utf8 scripts test: at most ceil(N / 7) bytes, unused
/// bits of the last byte zero (unsigned) or copies of the sign (signed).
struct ByteReaderTests {
    enum Outcome: Equatable, CustomStringConvertible {
        case value(Int64)
        case failure(String)
        var description: String {
            switch self {
            case .value(let value): "\(value)"
            case .failure(let reason): reason
            }
        }
    }

    static let tooLong = Outcome.failure("integer representation too long")
    static let tooLarge = Outcome.failure("integer too large")
    static let truncated = Outcome.failure("unexpected end of section or function")

    static let unsigned32: [([UInt8], Outcome)] = [
        ([0x00], .value(0)),
        ([0x7F], .value(127)),
        ([0x80, 0x01], .value(128)),
        ([0xE5, 0x8E, 0x26], .value(624_485)),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .value(0xFFFF_FFFF)),
        ([0x80, 0x80, 0x80, 0x80, 0x00], .value(0)),  // padded to the maximum length
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], tooLong),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x1F], tooLarge),  // bit 32 set
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x4F], tooLarge),
        ([0x82, 0x80, 0x80, 0x80, 0x70], tooLarge),
        ([0x80], truncated),
        ([], truncated),
    ]

    @Test(arguments: unsigned32)
    func unsigned32Bit(bytes: [UInt8], expected: Outcome) {
        #expect(Self.outcome(bytes) { (reader: inout ByteReader) throws(DecodeError) in
            Int64(try reader.readVarUInt32())
        } == expected)
    }

    static let signed32: [([UInt8], Outcome)] = [
        ([0x00], .value(0)),
        ([0x3F], .value(63)),
        ([0x40], .value(-64)),
        ([0x7F], .value(-1)),
        ([0x80, 0x7F], .value(-128)),
        ([0xFF, 0x00], .value(127)),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x07], .value(Int64(Int32.max))),
        ([0x80, 0x80, 0x80, 0x80, 0x78], .value(Int64(Int32.min))),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x7F], .value(-1)),  // padded negative
        ([0x80, 0x80, 0x80, 0x80, 0x00], .value(0)),  // padded positive
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], tooLarge),  // sign bit 0, bit 31 set
        ([0x80, 0x80, 0x80, 0x80, 0x70], tooLarge),  // sign bit 1, bit 31 clear
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x4F], tooLarge),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], tooLong),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], tooLong),
        ([0xC0], truncated),
    ]

    @Test(arguments: signed32)
    func signed32Bit(bytes: [UInt8], expected: Outcome) {
        #expect(Self.outcome(bytes) { (reader: inout ByteReader) throws(DecodeError) in
            Int64(try reader.readVarInt32())
        } == expected)
    }

    static let signed33: [([UInt8], Outcome)] = [
        ([0x40], .value(-64)),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .value(0xFFFF_FFFF)),  // the largest type index
        ([0x80, 0x80, 0x80, 0x80, 0x70], .value(-0x1_0000_0000)),
        ([0x80, 0x80, 0x80, 0x80, 0x10], tooLarge),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], tooLong),
    ]

    @Test(arguments: signed33)
    func signed33Bit(bytes: [UInt8], expected: Outcome) {
        #expect(Self.outcome(bytes) { (reader: inout ByteReader) throws(DecodeError) in
            try reader.readVarInt33()
        } == expected)
    }

    static let signed64: [([UInt8], Outcome)] = [
        ([0x7F], .value(-1)),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00], .value(Int64.max)),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F], .value(Int64.min)),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], .value(-1)),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], tooLarge),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E], tooLarge),
        ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], tooLong),
    ]

    @Test(arguments: signed64)
    func signed64Bit(bytes: [UInt8], expected: Outcome) {
        #expect(Self.outcome(bytes) { (reader: inout ByteReader) throws(DecodeError) in
            try reader.readVarInt64()
        } == expected)
    }

    /// The limits flag is a one-bit LEB128: 2 is too large, a continuation
    /// byte makes it too long.
    static let oneBit: [([UInt8], Outcome)] = [
        ([0x00], .value(0)),
        ([0x01], .value(1)),
        ([0x02], tooLarge),
        ([0x81, 0x00], tooLong),
    ]

    @Test(arguments: oneBit)
    func oneBitFlag(bytes: [UInt8], expected: Outcome) {
        #expect(Self.outcome(bytes) { (reader: inout ByteReader) throws(DecodeError) in
            Int64(try reader.readUnsignedLEB(bits: 1))
        } == expected)
    }

    @Test func errorsPointAtTheOffendingByte() {
        var tooLarge = ByteReader(bytes: [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F], position: 1)
        #expect(throws: DecodeError(offset: 5, section: nil, reason: "integer too large")) {
            try tooLarge.readVarUInt32()
        }
        var tooLong = ByteReader(bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x00])
        #expect(throws: DecodeError(offset: 5, section: nil, reason: "integer representation too long")) {
            try tooLong.readVarUInt32()
        }
    }

    static let names: [([UInt8], String?)] = [
        (WasmBinary.name("memory"), "memory"),
        (WasmBinary.name(""), ""),
        (WasmBinary.name("h\u{E9}llo \u{1F600}"), "h\u{E9}llo \u{1F600}"),
        ([0x01, 0x00], "\u{0}"),
        ([0x02, 0xC0, 0x80], nil),  // overlong NUL
        ([0x03, 0xE0, 0x80, 0x80], nil),  // overlong
        ([0x03, 0xED, 0xA0, 0x80], nil),  // surrogate U+D800
        ([0x04, 0xF4, 0x90, 0x80, 0x80], nil),  // above U+10FFFF
        ([0x02, 0xE2, 0x82], nil),  // truncated sequence
        ([0x01, 0x80], nil),  // lone continuation byte
        ([0x01, 0xFF], nil),
    ]

    @Test(arguments: names)
    func namesMustBeUTF8(bytes: [UInt8], expected: String?) throws {
        var reader = ByteReader(bytes: bytes)
        if let expected {
            #expect(try reader.readName() == expected)
        } else {
            #expect(throws: DecodeError(offset: 0, section: nil, reason: "malformed UTF-8 encoding")) {
                try reader.readName()
            }
        }
    }

    /// Canonically equivalent spellings stay distinct: names are bytes.
    @Test func namesKeepTheirExactBytes() throws {
        var reader = ByteReader(bytes: WasmBinary.name("A\u{30A}"))
        #expect(Array(try reader.readName().utf8) == [0x41, 0xCC, 0x8A])
    }

    @Test func lengthsBeyondTheModuleAreOutOfBounds() throws {
        // The bound counts from the length's own first byte, like the spec's.
        var fits = ByteReader(bytes: [0x02, 0xAA])
        #expect(try fits.readLength() == 2)
        var beyond = ByteReader(bytes: [0x03, 0xAA])
        #expect(throws: DecodeError(offset: 0, section: nil, reason: "length out of bounds")) {
            try beyond.readLength()
        }
    }

    private static func outcome(
        _ bytes: [UInt8], _ read: (inout ByteReader) throws(DecodeError) -> Int64
    ) -> Outcome {
        var reader = ByteReader(bytes: bytes)
        do {
            let value = try read(&reader)
            return reader.isAtEnd ? .value(value) : .failure("\(reader.remainingCount) bytes left over")
        } catch {
            return .failure(error.reason)
        }
    }
}
