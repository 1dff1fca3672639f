import Testing
@testable import WasmCore

/// Validation rules, one small module each.
struct ValidatorTests {
    typealias W = WasmBinary
    typealias T = TypeByte

    static let memory = W.section(5, W.vector([[0x00, 0x01]]))

    /// (name, module, nil when valid or the expected reason prefix)
    static let functionCases: [(String, [UInt8], String?)] = [
        ("add", W.function(parameters: [T.i32], results: [T.i32], code: [0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B]), nil),
        ("i32.add on i64", W.function(code: [0x41, 0x01, 0x42, 0x01, 0x6A, 0x1A, 0x0B]), "type mismatch"),
        ("missing result", W.function(results: [T.i32], code: [0x0B]), "type mismatch"),
        ("extra value", W.function(code: [0x41, 0x00, 0x0B]), "type mismatch"),
        ("unknown local", W.function(locals: [(1, T.i32)], code: [0x20, 0x02, 0x1A, 0x0B]), "unknown local 2"),
        ("unknown label", W.function(code: [0x02, 0x40, 0x0C, 0x02, 0x0B, 0x0B]), "unknown label"),
        ("unknown function", W.function(code: [0x10, 0x01, 0x0B]), "unknown function 1"),
        ("unknown global", W.function(code: [0x23, 0x00, 0x1A, 0x0B]), "unknown global 0"),
        ("unknown type", W.function(code: [0x02, 0x05, 0x0B, 0x0B]), "unknown type 5"),
        ("unknown table", W.function(code: [0x41, 0x00, 0x11, 0x00, 0x00, 0x0B]), "unknown table 0"),
        ("unknown memory", W.function(code: [0x41, 0x00, 0x28, 0x02, 0x00, 0x1A, 0x0B]), "unknown memory 0"),
        ("alignment", W.function(code: [0x41, 0x00, 0x28, 0x03, 0x00, 0x1A, 0x0B], between: [memory]),
         "alignment must not be larger than natural"),
        ("natural alignment", W.function(code: [0x41, 0x00, 0x29, 0x03, 0x00, 0x1A, 0x0B], between: [memory]), nil),
        ("polymorphic stack after unreachable", W.function(results: [T.i32], code: [0x00, 0x6A, 0x0B]), nil),
        ("unreachable keeps known types", W.function(code: [0x00, 0x42, 0x00, 0x6A, 0x1A, 0x0B]), "type mismatch"),
        ("br_table with one arity", W.function(code: [
            0x02, 0x7F, 0x02, 0x7F, 0x41, 0x01, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B, 0x0B, 0x1A, 0x0B]), nil),
        ("br_table with two arities", W.function(code: [
            0x02, 0x40, 0x02, 0x7F, 0x41, 0x01, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B, 0x1A, 0x0B, 0x0B]),
         "type mismatch"),
        ("br_table to i32 and f32 labels in unreachable code", W.function(code: [
            0x02, 0x7D, 0x02, 0x7F, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B, 0x1A, 0x43, 0, 0, 0, 0, 0x0B, 0x1A, 0x0B]), nil),
        ("if without else must pass its parameters through",
         W.function(code: [0x41, 0x00, 0x04, 0x7F, 0x41, 0x01, 0x0B, 0x1A, 0x0B]), "type mismatch"),
        ("block with parameters", W.module(
            W.section(1, W.vector([W.functionType([], []), W.functionType([T.i32], [T.i32])])),
            W.section(3, W.vector([[0x00]])),
            W.section(10, W.vector([W.body([0x41, 0x02, 0x41, 0x01, 0x04, 0x01, 0x0B, 0x1A, 0x0B])]))), nil),
        ("select on numbers", W.function(code: [0x42, 0x01, 0x42, 0x02, 0x41, 0x00, 0x1B, 0x1A, 0x0B]), nil),
        ("select on references needs a type", W.function(code: [
            0xD0, T.externref, 0xD0, T.externref, 0x41, 0x00, 0x1B, 0x1A, 0x0B]), "type mismatch"),
        ("typed select on references", W.function(code: [
            0xD0, T.externref, 0xD0, T.externref, 0x41, 0x00, 0x1C, 0x01, T.externref, 0x1A, 0x0B]), nil),
        ("typed select with two types", W.function(code: [0x1C, 0x02, T.i32, T.i32, 0x0B]), "invalid result arity"),
        ("ref.is_null on i32", W.function(code: [0x41, 0x00, 0xD1, 0x1A, 0x0B]), "type mismatch"),
        ("undeclared function reference", W.function(code: [0xD2, 0x00, 0x1A, 0x0B]), "undeclared function reference"),
        ("function reference declared by an export", W.function(
            code: [0xD2, 0x00, 0x1A, 0x0B], between: [W.section(7, W.vector([W.name("f") + [0x00, 0x00]]))]), nil),
        ("immutable global", W.function(
            code: [0x41, 0x00, 0x24, 0x00, 0x0B], between: [W.section(6, W.vector([[T.i32, 0x00, 0x41, 0x00, 0x0B]]))]),
         "global is immutable"),
        ("data.drop of an unknown segment", W.function(
            code: [0xFC, 0x09, 0x00, 0x0B], between: [W.section(12, [0x00])]), "unknown data segment 0"),
        ("memory.init needs a memory", W.function(
            code: [0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B],
            between: [W.section(12, [0x01])], after: [W.section(11, W.vector([[0x01, 0x00]]))]), "unknown memory 0"),
        ("table.init of an unknown segment", W.function(
            code: [0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0C, 0x00, 0x00, 0x0B],
            between: [W.section(4, W.vector([[T.funcref, 0x00, 0x01]]))]), "unknown elem segment 0"),
        ("table.copy between element types", W.function(
            code: [0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0E, 0x00, 0x01, 0x0B],
            between: [W.section(4, W.vector([[T.funcref, 0x00, 0x01], [T.externref, 0x00, 0x01]]))]), "type mismatch"),
        ("call_indirect through an externref table", W.function(
            code: [0x41, 0x00, 0x11, 0x00, 0x00, 0x0B],
            between: [W.section(4, W.vector([[T.externref, 0x00, 0x01]]))]), "type mismatch"),
        ("v128 locals and parameters are fine", W.function(
            parameters: [T.v128], locals: [(1, T.v128)], code: [0x20, 0x00, 0x21, 0x01, 0x0B]), nil),
        ("i32x4.add of two v128", W.function(
            parameters: [T.v128], code: [0x20, 0x00, 0x20, 0x00, 0xFD, 0xAE, 0x01, 0x1A, 0x0B]), nil),
        ("i32x4.add of an i32", W.function(
            parameters: [T.v128], code: [0x20, 0x00, 0x41, 0x00, 0xFD, 0xAE, 0x01, 0x1A, 0x0B]),
         "type mismatch: expected v128, found i32"),
        ("i8x16.extract_lane_s lane 16", W.function(
            parameters: [T.v128], code: [0x20, 0x00, 0xFD, 0x15, 0x10, 0x1A, 0x0B]),
         "invalid lane index 16 (the vector has 16 lanes)"),
        ("f64x2.replace_lane lane 2", W.function(
            parameters: [T.v128], code: [0x20, 0x00, 0x44] + [UInt8](repeating: 0, count: 8) + [0xFD, 0x22, 0x02, 0x1A, 0x0B]),
         "invalid lane index 2 (the vector has 2 lanes)"),
        ("i8x16.shuffle lane 32", W.function(
            parameters: [T.v128], code: [0x20, 0x00, 0x20, 0x00, 0xFD, 0x0D] + [UInt8](repeating: 31, count: 15) + [32, 0x1A, 0x0B]),
         "invalid lane index 32 (the vector has 32 lanes)"),
        ("v128.load32_zero aligned to 8", W.function(
            code: [0x41, 0x00, 0xFD, 0x5C, 0x03, 0x00, 0x1A, 0x0B], between: [W.section(5, W.vector([[0x00, 0x01]]))]),
         "alignment must not be larger than natural (2^3 > 4)"),
        ("v128.store64_lane needs a memory", W.function(
            parameters: [T.v128], code: [0x41, 0x00, 0x20, 0x00, 0xFD, 0x5B, 0x03, 0x00, 0x01, 0x0B]),
         "unknown memory 0"),
        ("v128 select without a type", W.function(
            parameters: [T.v128], code: [0x20, 0x00, 0x20, 0x00, 0x41, 0x00, 0x1B, 0x1A, 0x0B]), nil),
    ]

    @Test(arguments: functionCases)
    func functionBodies(name: String, bytes: [UInt8], reason: String?) throws {
        try Self.expect(try Module.decode(bytes), name: name, toFailWith: reason)
    }

    static let moduleCases: [(String, [UInt8], String?)] = [
        ("two memories", W.module(W.section(5, W.vector([[0x00, 0x01], [0x00, 0x01]]))), "multiple memories"),
        ("imported and defined memory", W.module(
            W.section(2, W.vector([W.name("m") + W.name("m") + [0x02, 0x00, 0x01]])),
            W.section(5, W.vector([[0x00, 0x01]]))), "multiple memories"),
        ("two tables are fine", W.module(W.section(4, W.vector([[T.funcref, 0x00, 0x01], [T.externref, 0x00, 0x01]]))), nil),
        ("65536 pages", W.module(W.section(5, W.vector([[0x01, 0x00] + W.unsigned(65536)]))), nil),
        ("65537 pages", W.module(W.section(5, W.vector([[0x00] + W.unsigned(65537)]))),
         "memory size must be at most 65536 pages (4GiB)"),
        ("minimum above maximum", W.module(W.section(5, W.vector([[0x01, 0x02, 0x01]]))),
         "size minimum must not be greater than maximum"),
        ("table minimum above maximum", W.module(W.section(4, W.vector([[T.funcref, 0x01, 0x02, 0x01]]))),
         "size minimum must not be greater than maximum"),
        ("imported function of an unknown type", W.module(
            W.section(2, W.vector([W.name("m") + W.name("f") + [0x00, 0x00]]))), "unknown type 0"),
        ("start function with a parameter", W.function(
            parameters: [T.i32], code: [0x0B], between: [W.section(8, [0x00])]), "start function"),
        ("unknown start function", W.function(code: [0x0B], between: [W.section(8, [0x01])]), "unknown function 1"),
        ("duplicate export", W.function(code: [0x0B], between: [
            W.section(7, W.vector([W.name("a") + [0x00, 0x00], W.name("a") + [0x00, 0x00]]))]), "duplicate export name"),
        ("canonically equivalent export names are distinct", W.function(code: [0x0B], between: [
            W.section(7, W.vector([W.name("\u{C5}") + [0x00, 0x00], W.name("A\u{30A}") + [0x00, 0x00]]))]), nil),
        ("export of an unknown global", W.module(W.section(7, W.vector([W.name("g") + [0x03, 0x00]]))),
         "unknown global 0"),
        ("global of the wrong type", W.module(W.section(6, W.vector([[T.i64, 0x00, 0x41, 0x00, 0x0B]]))),
         "type mismatch"),
        ("global initialised by arithmetic", W.module(
            W.section(6, W.vector([[T.i32, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B]]))),
         "constant expression required"),
        ("global initialised by two constants", W.module(
            W.section(6, W.vector([[T.i32, 0x00, 0x41, 0x01, 0x41, 0x02, 0x0B]]))), "type mismatch"),
        ("global initialised by nothing", W.module(W.section(6, W.vector([[T.i32, 0x00, 0x0B]]))), "type mismatch"),
        ("global.get of a defined global", W.module(W.section(6, W.vector([
            [T.i32, 0x00, 0x41, 0x01, 0x0B], [T.i32, 0x00, 0x23, 0x00, 0x0B]]))), "unknown global 0"),
        ("global.get of a mutable import", W.module(
            W.section(2, W.vector([W.name("m") + W.name("g") + [0x03, T.i32, 0x01]])),
            W.section(6, W.vector([[T.i32, 0x00, 0x23, 0x00, 0x0B]]))), "constant expression required"),
        ("global.get of an immutable import", W.module(
            W.section(2, W.vector([W.name("m") + W.name("g") + [0x03, T.i32, 0x00]])),
            W.section(6, W.vector([[T.i32, 0x00, 0x23, 0x00, 0x0B]]))), nil),
        ("element segment without a table", W.function(code: [0x0B], between: [
            W.section(9, W.vector([[0x00, 0x41, 0x00, 0x0B, 0x00]]))]), "unknown table 0"),
        ("element offset of type i64", W.function(code: [0x0B], between: [
            W.section(4, W.vector([[T.funcref, 0x00, 0x01]])),
            W.section(9, W.vector([[0x00, 0x42, 0x00, 0x0B, 0x00]]))]), "type mismatch"),
        ("externref segment into a funcref table", W.function(code: [0x0B], between: [
            W.section(4, W.vector([[T.funcref, 0x00, 0x01]])),
            W.section(9, W.vector([[0x04 + 0x02, 0x00, 0x41, 0x00, 0x0B, T.externref, 0x00]]))]), "type mismatch"),
        ("element item of an unknown function", W.function(code: [0x0B], between: [
            W.section(9, W.vector([[0x01, 0x00, 0x01, 0x05]]))]), "unknown function 5"),
        ("data segment without a memory", W.module(W.section(11, W.vector([[0x00, 0x41, 0x00, 0x0B, 0x00]]))),
         "unknown memory 0"),
        ("data segment into memory 1", W.module(
            W.section(5, W.vector([[0x00, 0x01]])), W.section(11, W.vector([[0x02, 0x01, 0x41, 0x00, 0x0B, 0x00]]))),
         "unknown memory 1"),
    ]

    @Test(arguments: moduleCases)
    func moduleRules(name: String, bytes: [UInt8], reason: String?) throws {
        try Self.expect(try Module.decode(bytes), name: name, toFailWith: reason)
    }

    @Test func errorsNameTheFunctionAndInstruction() throws {
        let bytes = W.module(
            W.section(1, W.vector([W.functionType([], [])])),
            W.section(2, W.vector([W.name("m") + W.name("f") + [0x00, 0x00]])),
            W.section(3, W.vector([[0x00]])),
            W.section(10, W.vector([W.body([0x01, 0x41, 0x00, 0x0B])])))
        let error = try #require(Self.failure(try Module.decode(bytes)))
        #expect(error.context == "function 1")  // the import is function 0
        #expect(error.offset == bytes.count - 1)  // the final end
        #expect(error.description.hasPrefix("invalid module (function 1, offset 0x\(String(bytes.count - 1, radix: 16))): type mismatch"))
        #expect(ValidationError(offset: 0x3A2, context: "function 12", reason: "type mismatch").description
            == "invalid module (function 12, offset 0x3a2): type mismatch")
        #expect(ValidationError(offset: nil, context: "global 3", reason: "type mismatch").description
            == "invalid module (global 3): type mismatch")
    }

    /// A model built by hand can hold any instruction list; the validator
    /// must reject broken structure with an error, never trap.
    static let unbalancedBodies: [[Instruction]] = [
        [],
        [.nop],
        [.end, .nop],
        [.end, .end],
        [.else, .end],
        [.block(.empty), .end],
        [.i32Const(0), .if(.empty), .else, .else, .end, .end],
        [.br(0), .end, .return],
        [.unreachable, .end, .drop],
    ]

    @Test(arguments: unbalancedBodies)
    func handBuiltBodiesWithBrokenStructureAreRejected(instructions: [Instruction]) {
        var module = Module()
        module.types = [FunctionType(parameters: [], results: [])]
        module.functionTypeIndices = [0]
        module.code = [FunctionBody(locals: [], instructions: instructions, offsets: [])]
        #expect(Self.failure(module) != nil)
    }

    @Test func handBuiltModuleWithoutBodiesIsRejected() {
        var module = Module()
        module.types = [FunctionType(parameters: [], results: [])]
        module.functionTypeIndices = [0, 0]
        #expect(Self.failure(module) != nil)
    }

    @Test func numericTypingMatchesEverySignature() {
        let table = NumericTypingTable()
        for numeric in NumericOperator.allCases {
            let signature = numeric.signature
            let typing = table.of(numeric)
            #expect(Array(repeating: typing.operand, count: typing.isBinary ? 2 : 1) == signature.operands, "\(numeric)")
            #expect(typing.result == signature.result, "\(numeric)")
        }
    }

    /// Checks that `module` is valid (`reason` nil) or fails with a reason
    /// starting with `reason`.
    static func expect(_ module: Module, name: String, toFailWith reason: String?) throws {
        let failure = Self.failure(module)
        if let reason {
            #expect(failure?.reason.hasPrefix(reason) == true, "\(name): got \(failure?.description ?? "valid")")
        } else {
            #expect(failure == nil, "\(name): got \(failure?.description ?? "valid")")
        }
    }

    static func failure(_ module: Module) -> ValidationError? {
        do {
            try module.validate()
            return nil
        } catch {
            return error
        }
    }
}
