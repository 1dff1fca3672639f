extension Module {
    /// True when `bytes` starts with the Wasm magic number "\0asm".
    public static func hasWasmMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x00 && bytes[1] == 0x61 && bytes[2] == 0x73 && bytes[3] == 0x6D
    }

    /// Decodes a Wasm 2.0 binary module. Rejects anything the binary format
    /// does not allow; semantic rules are left to `validate()`.
    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> Module {
        var decoder = ModuleDecoder(bytes: bytes)
        return try decoder.decodeModule()
    }
}

/// The binary section ids, in the order the sections must appear
/// (custom sections aside, which may appear anywhere).
enum SectionID: UInt8 {
    case custom = 0, type, `import`, function, table, memory, global, export, start, element, code, data
    case dataCount

    /// Position in the required order: the data count section sits between
    /// the element and code sections.
    var order: Int {
        switch self {
        case .custom: 0
        case .dataCount: 10  // after element (9), before code
        case .code, .data: Int(rawValue) + 1  // 11, 12
        default: Int(rawValue)
        }
    }

    var name: String {
        switch self {
        case .custom: "custom"
        case .type: "type"
        case .import: "import"
        case .function: "function"
        case .table: "table"
        case .memory: "memory"
        case .global: "global"
        case .export: "export"
        case .start: "start"
        case .element: "element"
        case .code: "code"
        case .data: "data"
        case .dataCount: "data count"
        }
    }
}

/// Decodes one module: the header, every section in order, and the checks
/// that tie sections together.
struct ModuleDecoder {
    var reader: ByteReader
    var module = Module()
    /// Number of bodies in the code section (0 without one).
    var codeCount = 0
    /// Set when a function body uses `memory.init` or `data.drop`, which
    /// need the data count section.
    var usesDataSegmentIndices = false
    /// Open blocks of the expression being read: whether each is an `if`
    /// that can still take an `else`.
    var openBlocks: [OpenBlock] = []
    /// Reused buffers for constant expressions.
    var constantInstructions: [Instruction] = []
    var constantOffsets: [Int] = []

    enum OpenBlock { case plain, ifWithoutElse }

    init(bytes: [UInt8]) {
        reader = ByteReader(bytes: bytes)
    }

    mutating func decodeModule() throws(DecodeError) -> Module {
        try readHeader()
        var lastOrder = 0
        while let id = reader.peek() {
            let sectionStart = reader.position
            guard let section = SectionID(rawValue: id) else {
                throw DecodeError.malformedSectionID(id, at: sectionStart).inSection("unknown (id \(id))")
            }
            if section != .custom {
                guard section.order > lastOrder else {
                    throw DecodeError.unexpectedContentAfterLastSection(at: sectionStart).inSection(section.name)
                }
                lastOrder = section.order
            }
            module.entryOffsets.sections[section.name] = sectionStart
            do {
                try readSection(section)
            } catch {
                throw error.inSection(section.name)
            }
        }
        try checkSectionsAgree()
        return module
    }

    mutating func readHeader() throws(DecodeError) {
        guard reader.remainingCount >= 4 else { throw .truncatedHeader(at: reader.bytes.count) }
        guard Module.hasWasmMagic(reader.bytes) else { throw .magicHeaderNotDetected() }
        try reader.skip(4)
        guard reader.remainingCount >= 4 else { throw .truncatedHeader(at: reader.bytes.count) }
        guard try reader.readUInt32LittleEndian() == 1 else { throw .unknownBinaryVersion() }
    }

    mutating func readSection(_ section: SectionID) throws(DecodeError) {
        _ = try reader.readByte()
        let size = try reader.readLength()
        let contentStart = reader.position
        switch section {
        case .custom: try readCustomSection(size: size)
        case .type: try readTypeSection()
        case .import: try readImportSection()
        case .function: try readFunctionSection()
        case .table: try readTableSection()
        case .memory: try readMemorySection()
        case .global: try readGlobalSection()
        case .export: try readExportSection()
        case .start: module.start = try reader.readVarUInt32()
        case .element: try readElementSection()
        case .dataCount: module.dataCount = try reader.readVarUInt32()
        case .code: try readCodeSection()
        case .data: try readDataSection()
        }
        guard reader.position == contentStart + size else { throw .sectionSizeMismatch(at: contentStart) }
    }

    /// A custom section: a UTF-8 name, then bytes this decoder skips.
    private mutating func readCustomSection(size: Int) throws(DecodeError) {
        let contentStart = reader.position
        _ = try reader.readName()
        try reader.skip(size - (reader.position - contentStart))
    }

    /// The checks the reference decoder makes once every section is read.
    private func checkSectionsAgree() throws(DecodeError) {
        let end = reader.bytes.count
        let offsets = module.entryOffsets.sections
        guard module.functionTypeIndices.count == codeCount else {
            let section = offsets["code"] != nil ? "code" : "function"
            throw DecodeError.inconsistentFunctionAndCodeLengths(at: offsets[section] ?? end).inSection(section)
        }
        if let dataCount = module.dataCount, Int(dataCount) != module.data.count {
            let section = offsets["data"] != nil ? "data" : "data count"
            throw DecodeError.inconsistentDataCount(at: offsets[section] ?? end).inSection(section)
        }
        if module.dataCount == nil && usesDataSegmentIndices {
            throw DecodeError.dataCountRequired(at: offsets["code"] ?? end).inSection("code")
        }
    }
}
