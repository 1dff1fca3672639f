import Testing
import WasmCore

/// Small hand-made modules decoded into the expected model values.
struct DecoderTests {
    typealias W = WasmBinary
    typealias T = TypeByte

    @Test func magicNumberIsRecognised() {
        #expect(Module.hasWasmMagic(W.header))
        #expect(Module.hasWasmMagic([0x00, 0x61, 0x73, 0x6D]))
        #expect(!Module.hasWasmMagic([0x00, 0x61, 0x73]))
        #expect(!Module.hasWasmMagic([0x7F, 0x45, 0x4C, 0x46, 0x02]))
    }

    @Test func emptyModuleDecodes() throws {
        #expect(try Module.decode(W.header) == Module())
    }

    @Test func everySectionDecodesIntoTheModel() throws {
        let bytes = W.module(
            W.section(0, W.name("first custom") + [1, 2, 3]),
            W.section(1, W.vector([W.functionType([T.i32, T.i64], [T.i32]), W.functionType([], [])])),
            W.section(2, W.vector([
                W.name("env") + W.name("f") + [0x00, 0x01],
                W.name("env") + W.name("t") + [0x01, T.externref, 0x01, 0x02, 0x0A],
                W.name("env") + W.name("m") + [0x02, 0x00, 0x01],
                W.name("env") + W.name("g") + [0x03, T.f64, 0x00],
            ])),
            W.section(3, W.vector([[0x00], [0x01]])),
            W.section(4, W.vector([[T.funcref, 0x00, 0x03]])),
            W.section(6, W.vector([
                [T.i32, 0x01, 0x41] + W.signed(-5) + [0x0B],
                [T.f64, 0x00, 0x23, 0x00, 0x0B],  // global.get of the imported immutable global
                [T.funcref, 0x00, 0xD2, 0x02, 0x0B],
            ])),
            W.section(7, W.vector([W.name("run") + [0x00, 0x02], W.name("mem") + [0x02, 0x00]])),
            W.section(8, [0x02]),
            W.section(0, W.name("middle")),
            W.section(12, [0x01]),
            W.section(10, W.vector([
                W.body(locals: [(2, T.i64), (1, T.f32)], [0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B]),
                W.body([0x0B]),
            ])),
            W.section(11, W.vector([[0x01, 0x02, 0xAB, 0xCD]])),
            W.section(0, W.name("last")))

        var expected = Module()
        expected.types = [
            FunctionType(parameters: [.i32, .i64], results: [.i32]),
            FunctionType(parameters: [], results: []),
        ]
        expected.imports = [
            Import(module: "env", name: "f", descriptor: .function(typeIndex: 1)),
            Import(module: "env", name: "t", descriptor: .table(TableType(
                elementType: .externref, limits: Limits(min: 2, max: 10)))),
            Import(module: "env", name: "m", descriptor: .memory(MemoryType(limits: Limits(min: 1, max: nil)))),
            Import(module: "env", name: "g", descriptor: .global(GlobalType(valueType: .f64, isMutable: false))),
        ]
        expected.functionTypeIndices = [0, 1]
        expected.tables = [TableType(elementType: .funcref, limits: Limits(min: 3, max: nil))]
        expected.globals = [
            Global(type: GlobalType(valueType: .i32, isMutable: true), initializer: .i32(UInt32(bitPattern: -5))),
            Global(type: GlobalType(valueType: .f64, isMutable: false), initializer: .globalGet(0)),
            Global(type: GlobalType(valueType: .funcref, isMutable: false), initializer: .refFunc(2)),
        ]
        expected.exports = [
            Export(name: "run", descriptor: .function(2)),
            Export(name: "mem", descriptor: .memory(0)),
        ]
        expected.start = 2
        expected.dataCount = 1
        let firstCode: [UInt8] = [0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B]
        let codeStart = try #require(bytes.indices.first { Array(bytes[$0...].prefix(6)) == firstCode })
        expected.code = [
            FunctionBody(
                locals: [.i64, .i64, .f32],
                instructions: [.localGet(0), .i32Const(1), .numeric(.i32Add), .end],
                offsets: [codeStart, codeStart + 2, codeStart + 4, codeStart + 5]),
            // After the first body: the second's size and local count.
            FunctionBody(locals: [], instructions: [.end], offsets: [codeStart + 8]),
        ]
        expected.data = [DataSegment(bytes: [0xAB, 0xCD], mode: .passive)]

        let module = try Module.decode(bytes)
        #expect(module == expected)
        try module.validate()
    }

    @Test func allEightElementSegmentEncodings() throws {
        let offset: [UInt8] = [0x41, 0x07, 0x0B]  // i32.const 7
        let bytes = W.function(code: [0x0B], between: [
            W.section(4, W.vector([[T.funcref, 0x00, 0x10], [T.funcref, 0x00, 0x10]])),
            W.section(9, W.vector([
                [0x00] + offset + W.vector([[0x00]]),
                [0x01, 0x00] + W.vector([[0x00], [0x00]]),
                [0x02, 0x01] + offset + [0x00] + W.vector([[0x00]]),
                [0x03, 0x00] + W.vector([[0x00]]),
                [0x04] + offset + W.vector([[0xD2, 0x00, 0x0B], [0xD0, T.funcref, 0x0B]]),
                [0x05, T.externref] + W.vector([[0xD0, T.externref, 0x0B]]),
                [0x06, 0x01] + offset + [T.funcref] + W.vector([[0xD2, 0x00, 0x0B]]),
                [0x07, T.funcref] + W.vector([[0xD2, 0x00, 0x0B]]),
            ])),
        ])
        let module = try Module.decode(bytes)
        #expect(module.elements == [
            ElementSegment(type: .funcref, items: [.refFunc(0)], mode: .active(table: 0, offset: .i32(7))),
            ElementSegment(type: .funcref, items: [.refFunc(0), .refFunc(0)], mode: .passive),
            ElementSegment(type: .funcref, items: [.refFunc(0)], mode: .active(table: 1, offset: .i32(7))),
            ElementSegment(type: .funcref, items: [.refFunc(0)], mode: .declarative),
            ElementSegment(type: .funcref, items: [.refFunc(0), .refNull(.funcref)],
                           mode: .active(table: 0, offset: .i32(7))),
            ElementSegment(type: .externref, items: [.refNull(.externref)], mode: .passive),
            ElementSegment(type: .funcref, items: [.refFunc(0)], mode: .active(table: 1, offset: .i32(7))),
            ElementSegment(type: .funcref, items: [.refFunc(0)], mode: .declarative),
        ])
        try module.validate()
    }

    @Test func allThreeDataSegmentEncodings() throws {
        let bytes = W.function(
            code: [0x0B],
            between: [W.section(5, W.vector([[0x00, 0x01]])), W.section(12, [0x03])],
            after: [W.section(11, W.vector([
                [0x00, 0x41, 0x10, 0x0B, 0x01, 0x61],
                [0x01, 0x02, 0x62, 0x63],
                [0x02, 0x00, 0x42, 0x00, 0x0B, 0x00],  // an i64 offset: decodes, fails validation
            ]))])
        let module = try Module.decode(bytes)
        #expect(module.data == [
            DataSegment(bytes: [0x61], mode: .active(memory: 0, offset: .i32(16))),
            DataSegment(bytes: [0x62, 0x63], mode: .passive),
            DataSegment(bytes: [], mode: .active(memory: 0, offset: .i64(0))),
        ])
        #expect(throws: ValidationError.self) { try module.validate() }
    }

    @Test func controlAndPrefixedInstructions() throws {
        let code: [UInt8] = [
            0x02, 0x40,  // block
            0x03, 0x7F,  // loop (result i32)
            0x41, 0x00,  // i32.const 0
            0x04, 0x00,  // if (type 0)
            0x05,  // else
            0x0B,  // end
            0x0E, 0x02, 0x00, 0x01, 0x00,  // br_table 0 1 0
            0x0B,  // end loop
            0x0B,  // end block
            0x1C, 0x01, T.f64,  // select (result f64)
            0x3F, 0x00, 0x40, 0x00,  // memory.size, memory.grow
            0x28, 0x02, 0x80, 0x01,  // i32.load align=4 offset=128
            0xFC, 0x00,  // i32.trunc_sat_f32_s
            0xFC, 0x08, 0x03, 0x00,  // memory.init 3
            0xFC, 0x0A, 0x00, 0x00,  // memory.copy
            0xFC, 0x0C, 0x01, 0x02,  // table.init elem 1 table 2
            0xFC, 0x0E, 0x04, 0x05,  // table.copy 4 <- 5
            0xFC, 0x11, 0x06,  // table.fill 6
            0x11, 0x07, 0x01,  // call_indirect type 7 table 1
            0x43, 0x00, 0x00, 0x80, 0x3F,  // f32.const 1.0
            0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0xBF,  // f64.const -1.0
            0x42] + W.signed(Int64.min) + [  // i64.const min
            0x0B,
        ]
        let bytes = W.function(code: code, between: [W.section(12, [0x00])])
        let body = try #require(try Module.decode(bytes).code.first)
        #expect(body.instructions == [
            .block(.empty), .loop(.value(.i32)), .i32Const(0), .if(.typeIndex(0)), .else, .end,
            .brTable(targets: [0, 1], default: 0), .end, .end,
            .select([.f64]), .memorySize, .memoryGrow, .load(.i32Load, MemoryArgument(align: 2, offset: 128)),
            .numeric(.i32TruncSatF32S), .memoryInit(3), .memoryCopy,
            .tableInit(element: 1, table: 2), .tableCopy(destination: 4, source: 5), .tableFill(6),
            .callIndirect(typeIndex: 7, table: 1),
            .f32Const(bits: 0x3F80_0000), .f64Const(bits: 0xBFF0_0000_0000_0000),
            .i64Const(UInt64(bitPattern: Int64.min)), .end,
        ])
        #expect(body.offsets.count == body.instructions.count)
        #expect(body.offsets.first.map { bytes[$0] } == 0x02)
        #expect(body.offsets.last == bytes.count - 1)
    }

    @Test func simdInstructionsDecodeWithTheirImmediates() throws {
        let code: [UInt8] = [
            0x41, 0x00, 0x41, 0x00,
            0xFD, 0x00, 0x04, 0x10,  // v128.load align=16 offset=16
            0xFD, 0x0C] + [UInt8](repeating: 0xEE, count: 16) + [  // v128.const
            0xFD, 0x0D] + [UInt8](16..<32) + [  // i8x16.shuffle
            0xFD, 0x54, 0x00, 0x00, 0x0F,  // v128.load8_lane align=1 offset=0 lane 15
            0xFD, 0x0C] + [UInt8](repeating: 0x01, count: 16) + [
            0xFD, 0xAE, 0x01,  // i32x4.add (two-byte subopcode)
            0xFD, 0x15, 0x03,  // i8x16.extract_lane_s 3
            0x1A, 0x0B,
        ]
        let bytes = W.function(code: code, between: [
            W.section(5, W.vector([[0x00, 0x01]])),
            W.section(6, W.vector([[T.v128, 0x00, 0xFD, 0x0C] + [UInt8](repeating: 7, count: 16) + [0x0B]])),
        ])
        let module = try Module.decode(bytes)
        #expect(module.globals.first?.initializer == .v128(bytes: [UInt8](repeating: 7, count: 16)))
        let constant = try #require(V128(bytes: [UInt8](repeating: 0xEE, count: 16)))
        let lanes = try #require(V128(bytes: [UInt8](16..<32)))
        let ones = V128(low: 0x0101_0101_0101_0101, high: 0x0101_0101_0101_0101)
        #expect(module.code.first?.instructions == [
            .i32Const(0), .i32Const(0),
            .vector(.memory(.v128Load, MemoryArgument(align: 4, offset: 16))),
            .vector(.constant(constant)),
            .vector(.shuffle(lanes)),
            .vector(.memoryLane(.v128Load8Lane, MemoryArgument(align: 0, offset: 0), lane: 15)),
            .vector(.constant(ones)),
            .vector(.plain(.i32x4Add)),
            .vector(.lane(.i8x16ExtractLaneS, 3)),
            .drop, .end,
        ])
        try module.validate()
    }

    @Test(arguments: [
        ([0xFD, 0x9A, 0x01], "illegal opcode 0xfd 154"),  // unassigned subopcode
        ([0xFD, 0x80, 0x02], "illegal opcode 0xfd 256"),  // beyond a byte
        ([0xFD, 0x00, 0x20, 0x00], "malformed memop flags"),  // alignment exponent 32
        ([0xFD, 0x0C, 0x00], "unexpected end"),  // v128.const cut short
    ] as [([UInt8], String)])
    func malformedSIMDInstructions(code: [UInt8], reason: String) {
        #expect {
            _ = try Module.decode(W.function(code: code + [0x0B]))
        } throws: { error in
            (error as? DecodeError)?.reason.hasPrefix(reason) == true
        }
    }

    @Test func customSectionsMayAppearAnywhere() throws {
        let custom = W.section(0, W.name("x") + [0xFF])
        let bytes = W.module(
            custom, W.section(1, W.vector([W.functionType([], [])])), custom,
            W.section(3, W.vector([[0x00]])), custom, W.section(10, W.vector([W.body([0x0B])])), custom)
        #expect(try Module.decode(bytes).code.count == 1)
    }

    @Test func theLocalsLimitCountsParameters() throws {
        let limit = UInt32(Module.maxLocals)
        let atLimit = W.function(parameters: [T.i32, T.i32], locals: [(limit - 2, T.i32)], code: [0x0B])
        #expect(try Module.decode(atLimit).code.first?.locals.count == Module.maxLocals - 2)
        let overLimit = W.function(parameters: [T.i32, T.i32], locals: [(limit - 1, T.i32)], code: [0x0B])
        #expect(Self.failure(overLimit) == "too many locals")
    }

    @Test func errorsNameTheirSectionAndOffset() {
        let bytes = W.function(code: [0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B])
        #expect(throws: DecodeError(
            offset: bytes.count - 2, section: "code", reason: "integer representation too long")
        ) {
            try Module.decode(bytes)
        }
        let error = DecodeError(offset: 0x1F, section: "code", reason: "integer representation too long")
        #expect(error.description == "malformed module at offset 0x1f (code section): integer representation too long")
        #expect(DecodeError(offset: 0, section: nil, reason: "unexpected end").description
            == "malformed module at offset 0x0: unexpected end")
    }

    // MARK: - Malformed modules

    static let malformed: [(String, [UInt8], String)] = [
        ("empty", [], "unexpected end"),
        ("bad magic", [0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00], "magic header not detected"),
        ("version 2", [0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00], "unknown binary version"),
        ("no version", [0x00, 0x61, 0x73, 0x6D, 0x01], "unexpected end"),
        ("section id 13", W.module([0x0D, 0x00]), "malformed section id"),
        ("type section twice",
         W.module(W.section(1, [0x00]), W.section(1, [0x00])), "unexpected content after last section"),
        ("function before type",
         W.module(W.section(3, [0x00]), W.section(1, [0x00])), "unexpected content after last section"),
        ("data count after code",
         W.module(W.section(10, [0x00]), W.section(12, [0x00])), "unexpected content after last section"),
        ("section larger than the module", W.module([0x01, 0x05, 0x00]), "length out of bounds"),
        ("section content shorter than its size",
         W.module([0x01, 0x02, 0x00], W.section(0, W.name("x"))), "section size mismatch"),
        ("custom name longer than the section", W.module([0x00, 0x01, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]),
         "unexpected end of section or function"),
        ("function without code", W.module(W.section(1, W.vector([W.functionType([], [])])), W.section(3, [0x01, 0x00])),
         "function and code section have inconsistent lengths"),
        ("data count mismatch", W.module(W.section(12, [0x01])), "data count and data section have inconsistent lengths"),
        ("data.drop without data count", W.function(code: [0xFC, 0x09, 0x00, 0x0B]), "data count section required"),
        ("illegal opcode", W.function(code: [0x06, 0x0B]), "illegal opcode 0x06"),
        ("illegal 0xfc subopcode", W.function(code: [0xFC, 0x12, 0x0B]), "illegal opcode 0xfc 18"),
        ("illegal 0xfd subopcode", W.function(code: [0xFD, 0x9A, 0x01, 0x0B]), "illegal opcode 0xfd 154"),
        ("else in a block", W.function(code: [0x02, 0x40, 0x05, 0x0B, 0x0B]), "END opcode expected"),
        ("second else", W.function(code: [0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B]), "END opcode expected"),
        ("missing end", W.function(code: [0x01]), "unexpected end of section or function"),
        ("body longer than its size", W.module(
            W.section(1, W.vector([W.functionType([], [])])), W.section(3, [0x01, 0x00]),
            W.section(10, [0x01, 0x02, 0x00, 0x01, 0x0B])), "section size mismatch"),
        ("memory.grow reserved byte", W.function(code: [0x41, 0x00, 0x40, 0x01, 0x1A, 0x0B]), "zero byte expected"),
        ("memory.size long zero", W.function(code: [0x3F, 0x80, 0x00, 0x1A, 0x0B]), "zero byte expected"),
        ("alignment 2^32", W.function(code: [0x41, 0x00, 0x28, 0x20, 0x00, 0x1A, 0x0B]), "malformed memop flags"),
        ("import kind 4", W.module(W.section(2, W.vector([W.name("a") + W.name("b") + [0x04]]))),
         "malformed import kind"),
        ("export kind 4", W.module(W.section(7, W.vector([W.name("a") + [0x04, 0x00]]))), "malformed export kind"),
        ("mutability 2", W.module(W.section(6, W.vector([[T.i32, 0x02, 0x41, 0x00, 0x0B]]))), "malformed mutability"),
        ("limits flag 2", W.module(W.section(5, W.vector([[0x02, 0x00]]))), "integer too large"),
        ("ref.null i32", W.function(code: [0xD0, T.i32, 0x1A, 0x0B]), "malformed reference type"),
        ("table of i32", W.module(W.section(4, W.vector([[T.i32, 0x00, 0x00]]))), "malformed reference type"),
        ("function type 0x61", W.module(W.section(1, W.vector([[0x61, 0x00, 0x00]]))), "malformed function type"),
        ("element kind 1", W.module(W.section(9, W.vector([[0x01, 0x01, 0x00]]))), "malformed element kind"),
        ("element segment kind 8", W.module(W.section(9, W.vector([[0x08]]))), "malformed elements segment kind"),
        ("data segment kind 3", W.module(W.section(11, W.vector([[0x03]]))), "malformed data segment kind"),
        ("invalid UTF-8 export name", W.module(W.section(7, W.vector([[0x01, 0xFF, 0x00, 0x00]]))),
         "malformed UTF-8 encoding"),
        ("invalid UTF-8 custom name", W.module(W.section(0, [0x02, 0xC0, 0x80])), "malformed UTF-8 encoding"),
        ("too many locals", W.function(locals: [(0xFFFF_FFFF, T.i32), (2, T.i64)], code: [0x0B]), "too many locals"),
        ("global initialiser without end", W.module(W.section(6, [0x01, T.i32, 0x00, 0x41, 0x00])),
         "unexpected end of section or function"),
        ("truncated section header", W.module(W.section(1, [0x00])) + [0x0C], "unexpected end"),
    ]

    @Test(arguments: malformed)
    func malformedModulesAreRejected(name: String, bytes: [UInt8], reason: String) {
        let failure = Self.failure(bytes)
        #expect(failure?.hasPrefix(reason) == true, "\(name): got \(failure ?? "no error")")
    }

    /// The reason a module fails to decode, or nil when it decodes.
    static func failure(_ bytes: [UInt8]) -> String? {
        do {
            _ = try Module.decode(bytes)
            return nil
        } catch {
            return error.reason
        }
    }
}
