/// A module that is not a well-formed Wasm 2.0 binary.
///
/// `reason` uses the spec test suite's wording, so an `assert_malformed`
/// expectation is a prefix of it. Every kind has a named constructor; the
/// module decoder adds the section name once, where it reads the section.
public struct DecodeError: Error, CustomStringConvertible, Hashable, Sendable {
    /// Byte offset in the module where the problem was found.
    public let offset: Int
    /// The section being decoded ("code", "type", ...), nil for the header.
    public let section: String?
    public let reason: String

    public init(offset: Int, section: String?, reason: String) {
        self.offset = offset
        self.section = section
        self.reason = reason
    }

    public var description: String {
        let hexOffset = "0x" + String(offset, radix: 16)
        if let section {
            return "malformed module at offset \(hexOffset) (\(section) section): \(reason)"
        }
        return "malformed module at offset \(hexOffset): \(reason)"
    }

    /// The same error, attributed to `section` unless it already names one.
    func inSection(_ name: String) -> DecodeError {
        section == nil ? DecodeError(offset: offset, section: name, reason: reason) : self
    }
}

extension DecodeError {
    private init(_ offset: Int, _ reason: String) {
        self.init(offset: offset, section: nil, reason: reason)
    }

    // Header and section framing.
    static func truncatedHeader(at offset: Int) -> Self { .init(offset, "unexpected end") }
    static func magicHeaderNotDetected() -> Self { .init(0, "magic header not detected") }
    static func unknownBinaryVersion() -> Self { .init(4, "unknown binary version") }
    static func unexpectedEnd(at offset: Int) -> Self {
        .init(offset, "unexpected end of section or function")
    }
    static func lengthOutOfBounds(at offset: Int) -> Self { .init(offset, "length out of bounds") }
    static func sectionSizeMismatch(at offset: Int) -> Self { .init(offset, "section size mismatch") }
    static func malformedSectionID(_ id: UInt8, at offset: Int) -> Self {
        .init(offset, "malformed section id \(id)")
    }
    static func unexpectedContentAfterLastSection(at offset: Int) -> Self {
        .init(offset, "unexpected content after last section")
    }
    static func inconsistentFunctionAndCodeLengths(at offset: Int) -> Self {
        .init(offset, "function and code section have inconsistent lengths")
    }
    static func inconsistentDataCount(at offset: Int) -> Self {
        .init(offset, "data count and data section have inconsistent lengths")
    }
    static func dataCountRequired(at offset: Int) -> Self { .init(offset, "data count section required") }

    // Values.
    static func integerRepresentationTooLong(at offset: Int) -> Self {
        .init(offset, "integer representation too long")
    }
    static func integerTooLarge(at offset: Int) -> Self { .init(offset, "integer too large") }
    static func malformedUTF8(at offset: Int) -> Self { .init(offset, "malformed UTF-8 encoding") }

    // Types.
    static func malformedNumberType(at offset: Int) -> Self { .init(offset, "malformed number type") }
    static func malformedVectorType(at offset: Int) -> Self { .init(offset, "malformed vector type") }
    static func malformedReferenceType(at offset: Int) -> Self { .init(offset, "malformed reference type") }
    static func malformedFunctionType(at offset: Int) -> Self { .init(offset, "malformed function type") }
    static func malformedMutability(at offset: Int) -> Self { .init(offset, "malformed mutability") }

    // Section entries.
    static func malformedImportKind(at offset: Int) -> Self { .init(offset, "malformed import kind") }
    static func malformedExportKind(at offset: Int) -> Self { .init(offset, "malformed export kind") }
    static func malformedElementKind(at offset: Int) -> Self { .init(offset, "malformed element kind") }
    static func malformedElementSegmentKind(at offset: Int) -> Self {
        .init(offset, "malformed elements segment kind")
    }
    static func malformedDataSegmentKind(at offset: Int) -> Self {
        .init(offset, "malformed data segment kind")
    }
    static func tooManyLocals(at offset: Int) -> Self { .init(offset, "too many locals") }

    // Instructions.
    static func illegalOpcode(_ opcode: UInt8, at offset: Int) -> Self {
        .init(offset, "illegal opcode " + hexByte(opcode))
    }
    static func illegalOpcode(prefix: UInt8, _ subopcode: UInt32, at offset: Int) -> Self {
        .init(offset, "illegal opcode " + hexByte(prefix) + " \(subopcode)")
    }
    static func endOpcodeExpected(at offset: Int) -> Self { .init(offset, "END opcode expected") }
    static func zeroByteExpected(at offset: Int) -> Self { .init(offset, "zero byte expected") }
    static func malformedMemopFlags(at offset: Int) -> Self { .init(offset, "malformed memop flags") }

    private static func hexByte(_ byte: UInt8) -> String {
        "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
    }
}
