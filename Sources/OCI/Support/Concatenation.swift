/// `joined(separator:)` for the two element types the start-up path joins. The standard
/// library's `joined(separator:)` runs as unspecialised generic code: its first call in a
/// process resolves the collection's associated types at run time (demangling, and a scan of
/// every protocol conformance in the binary), 15-35 µs that every create paid. These loops
/// over concrete types do not.
extension Array where Element == String {
    func concatenated(separator: String) -> String {
        var result = ""
        for index in indices {
            if index > 0 { result.append(separator) }
            result.append(self[index])
        }
        return result
    }
}

extension Array where Element == Substring {
    func concatenated(separator: String) -> String {
        var result = ""
        for index in indices {
            if index > 0 { result.append(separator) }
            result.append(contentsOf: self[index])
        }
        return result
    }
}
