/// A well-formed module that breaks a validation rule of Wasm 2.0.
///
/// `reason` uses the spec test suite's wording, so an `assert_invalid`
/// expectation is a prefix of it. Every kind has a named constructor that
/// leaves the place empty; the validator adds it with `at(_:offset:)`.
public struct ValidationError: Error, CustomStringConvertible, Hashable, Sendable {
    /// Byte offset of the offending instruction, when there is one.
    public let offset: Int?
    /// Where: "function 12", "global 3", "element segment 0", "export 2", ...
    public let context: String
    public let reason: String

    public init(offset: Int?, context: String, reason: String) {
        self.offset = offset
        self.context = context
        self.reason = reason
    }

    public var description: String {
        var place = context.isEmpty ? "module" : context
        if let offset { place += ", offset 0x" + String(offset, radix: 16) }
        return "invalid module (\(place)): \(reason)"
    }

    /// The same error, placed in `context` (and at `offset`, if known).
    func at(_ context: String, offset: Int? = nil) -> ValidationError {
        ValidationError(offset: offset ?? self.offset, context: context, reason: reason)
    }
}

extension ValidationError {
    private init(_ reason: String) {
        self.init(offset: nil, context: "", reason: reason)
    }

    // Index spaces: "unknown <space> <index>", as the reference validator words it.
    static func unknownType(_ index: UInt32) -> Self { .init("unknown type \(index)") }
    static func unknownFunction(_ index: UInt32) -> Self { .init("unknown function \(index)") }
    static func unknownTable(_ index: UInt32) -> Self { .init("unknown table \(index)") }
    static func unknownMemory(_ index: UInt32) -> Self { .init("unknown memory \(index)") }
    static func unknownGlobal(_ index: UInt32) -> Self { .init("unknown global \(index)") }
    static func unknownLocal(_ index: UInt32) -> Self { .init("unknown local \(index)") }
    static func unknownLabel(_ depth: UInt32) -> Self { .init("unknown label \(depth)") }
    static func unknownElementSegment(_ index: UInt32) -> Self { .init("unknown elem segment \(index)") }
    static func unknownDataSegment(_ index: UInt32) -> Self { .init("unknown data segment \(index)") }

    // Operand typing.
    static func typeMismatch(expected: String, found: String) -> Self {
        .init("type mismatch: expected \(expected), found \(found)")
    }
    static func typeMismatch(_ detail: String) -> Self { .init("type mismatch: \(detail)") }
    static func invalidResultArity(_ count: Int) -> Self {
        .init("invalid result arity \(count), select takes exactly one type")
    }
    static func globalIsImmutable(_ index: UInt32) -> Self { .init("global is immutable: global \(index)") }
    static func alignmentTooLarge(align: UInt32, natural: Int) -> Self {
        .init("alignment must not be larger than natural (2^\(align) > \(natural))")
    }
    static func undeclaredFunctionReference(_ index: UInt32) -> Self {
        .init("undeclared function reference: function \(index)")
    }
    static func invalidLaneIndex(_ lane: UInt8, lanes: Int) -> Self {
        .init("invalid lane index \(lane) (the vector has \(lanes) lanes)")
    }
    static func malformedControlStructure(_ detail: String) -> Self {
        .init("type mismatch: unbalanced control structure (\(detail))")
    }

    // Module level.
    static func constantExpressionRequired() -> Self { .init("constant expression required") }
    static func duplicateExportName(_ name: String) -> Self { .init("duplicate export name \"\(name)\"") }
    static func multipleMemories(_ count: Int) -> Self { .init("multiple memories (\(count))") }
    static func limitsMinimumExceedsMaximum() -> Self {
        .init("size minimum must not be greater than maximum")
    }
    static func memorySizeTooLarge() -> Self { .init("memory size must be at most 65536 pages (4GiB)") }
    static func startFunctionType() -> Self {
        .init("start function must not have parameters or results")
    }
    static func notAReferenceType(_ type: ValueType) -> Self {
        .init("type mismatch: \(type) is not a reference type")
    }
}
