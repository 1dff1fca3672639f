/// Byte offsets of a decoded module's sections and entries: where a
/// validation error about an entry (an export, a segment, a global...)
/// points. Empty for a module built in code. Not part of a module's value:
/// every two compare equal (a decoded module equals the same one built in
/// code).
struct EntryOffsets: Hashable, Sendable {
    static func == (lhs: EntryOffsets, rhs: EntryOffsets) -> Bool { true }
    func hash(into hasher: inout Hasher) {}

    /// Section name -> offset of its id byte.
    var sections: [String: Int] = [:]
    var imports: [Int] = []
    /// Defined functions (the function section's entries).
    var functions: [Int] = []
    var tables: [Int] = []
    var memories: [Int] = []
    var globals: [Int] = []
    var exports: [Int] = []
    var elements: [Int] = []
    var data: [Int] = []

    /// The offset of the entry a validation context names ("export 3 ...",
    /// "element segment 0 item 2", "global 5", "start function 7", ...);
    /// function, table, memory and global indices count imports first.
    func offset(of context: String, in module: Module) -> Int? {
        let words = context.split(separator: " ")
        func index(at position: Int) -> Int? { position < words.count ? Int(words[position]) : nil }
        /// Index-space entry: the n-th import of its kind, or a defined one.
        func entry(_ offsets: [Int], _ index: Int?, importedBefore: Int = 0,
                   isKind: (ImportDescriptor) -> Bool = { _ in false }) -> Int? {
            guard let index, index >= 0 else { return nil }
            if index < importedBefore {
                let position = module.imports.indices.filter { isKind(module.imports[$0].descriptor) }[index]
                return position < imports.count ? imports[position] : nil
            }
            guard index - importedBefore < offsets.count else { return nil }
            return offsets[index - importedBefore]
        }
        switch words.first {
        case "import": return entry(imports, index(at: 1))
        case "function":
            return entry(functions, index(at: 1), importedBefore: module.importedFunctionCount) {
                if case .function = $0 { true } else { false }
            }
        case "table":
            return entry(tables, index(at: 1), importedBefore: module.importedTableCount) {
                if case .table = $0 { true } else { false }
            }
        case "memory":
            return entry(memories, index(at: 1), importedBefore: module.importedMemoryCount) {
                if case .memory = $0 { true } else { false }
            }
        case "global":
            return entry(globals, index(at: 1), importedBefore: module.importedGlobalCount) {
                if case .global = $0 { true } else { false }
            }
        case "export": return entry(exports, index(at: 1))
        case "element": return entry(elements, index(at: 2))
        case "data": return entry(data, index(at: 2))
        case "start": return sections["start"]
        case "code": return sections["code"]
        default: return nil
        }
    }
}
