extension Module {
    /// The module's imports, read without decoding the rest: the header, then sections skipped
    /// by their sizes up to the import section (which comes before every section but custom
    /// and type ones). Empty when the module has no import section. The imports are read as
    /// `decode` reads them; nothing after them is checked, so a module this accepts may still
    /// fail to decode.
    public static func decodeImports(_ bytes: [UInt8]) throws(DecodeError) -> [Import] {
        var decoder = ModuleDecoder(bytes: bytes)
        return try decoder.decodeImportsOnly()
    }
}

extension ModuleDecoder {
    mutating func decodeImportsOnly() throws(DecodeError) -> [Import] {
        try readHeader()
        while let id = reader.peek() {
            let sectionStart = reader.position
            guard let section = SectionID(rawValue: id) else {
                throw DecodeError.malformedSectionID(id, at: sectionStart).inSection("unknown (id \(id))")
            }
            switch section {
            case .custom, .type:
                _ = try reader.readByte()
                try reader.skip(try reader.readLength())
            case .import:
                do {
                    try readSection(section)
                } catch {
                    throw error.inSection(section.name)
                }
                return module.imports
            default:
                return []
            }
        }
        return []
    }
}
