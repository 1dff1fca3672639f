import Testing
import WasmCore

private typealias W = WasmBinary

/// `Module.decodeImports`: the import section alone, as `decode` reads it.
@Suite struct ImportDecoderTests {
    static let functionImport = W.name("wasi_snapshot_preview1") + W.name("sock_open") + [0x00, 0x00]
    static let memoryImport = W.name("env") + W.name("memory") + [0x02, 0x00, 0x01]

    @Test func readsTheImportsPastCustomAndTypeSections() throws {
        let bytes = W.module(
            W.section(0, W.name("note") + [1, 2, 3]),
            W.section(1, W.vector([W.functionType([TypeByte.i32], [TypeByte.i32])])),
            W.section(2, W.vector([Self.functionImport, Self.memoryImport])),
            // What follows is not read: a function section that does not match the code's.
            W.section(3, W.vector([[0x00], [0x00]])))
        let imports = try Module.decodeImports(bytes)
        #expect(imports == [
            Import(module: "wasi_snapshot_preview1", name: "sock_open", descriptor: .function(typeIndex: 0)),
            Import(module: "env", name: "memory", descriptor: .memory(MemoryType(limits: Limits(min: 1, max: nil)))),
        ])
    }

    @Test func aModuleWithoutAnImportSectionHasNone() throws {
        #expect(try Module.decodeImports(W.module()) == [])
        #expect(try Module.decodeImports(W.function(code: [0x0B])) == [])
    }

    /// Broken before or inside the import section: both decoders refuse.
    @Test(arguments: [
        ("short header", [0x00, 0x61, 0x73]),
        ("truncated import", W.module(W.section(2, W.vector([W.name("a")])))),
        ("import section size too small", W.module([0x02, 0x01] + W.vector([Self.memoryImport]))),
        ("bad import kind", W.module(W.section(2, W.vector([W.name("a") + W.name("b") + [0x04]])))),
        ("type section past the end", W.module([0x01, 0x09, 0x00])),
        ("unknown section id", W.module([0x0E, 0x00])),
    ] as [(String, [UInt8])])
    func rejectsWhatDecodeRejects(name: String, bytes: [UInt8]) {
        #expect(throws: DecodeError.self, "\(name)") { try Module.decodeImports(bytes) }
        #expect(throws: DecodeError.self, "\(name)") { try Module.decode(bytes) }
    }
}
