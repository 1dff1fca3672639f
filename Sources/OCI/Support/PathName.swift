import Glibc

/// Lexical path handling with Go's filepath.Clean/Join/Abs semantics (what runc reports).
public enum PathName {
    /// Clean: collapse "//", ".", and "x/.." lexically; "" becomes ".".
    public static func clean(_ path: String) -> String {
        isClean(path) ? path : cleanLexically(path)
    }

    static func cleanLexically(_ path: String) -> String {
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !rooted {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let body = parts.concatenated(separator: "/")
        if rooted { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// Whether `clean` would return `path` unchanged: no empty, "." or ".." component and no
    /// trailing "/" (but "/" itself). Most paths are, and the check is one pass over the bytes.
    static func isClean(_ path: String) -> Bool {
        path.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.isEmpty else { return false }
            if bytes.count == 1 { return bytes[0] != UInt8(ascii: ".") }
            guard bytes[bytes.count - 1] != UInt8(ascii: "/") else { return false }
            var componentStart = 0
            for index in 0...bytes.count {
                guard index == bytes.count || bytes[index] == UInt8(ascii: "/") else { continue }
                let length = index - componentStart
                if length == 0 && index > 0 { return false }
                if length == 1 && bytes[componentStart] == UInt8(ascii: ".") { return false }
                if length == 2 && bytes[componentStart] == UInt8(ascii: ".") && bytes[componentStart + 1] == UInt8(ascii: ".") {
                    return false
                }
                componentStart = index + 1
            }
            return true
        } ?? false
    }

    public static func join(_ base: String, _ path: String) -> String {
        if base.isEmpty { return clean(path) }
        if path.isEmpty { return clean(base) }
        return clean(base + "/" + path)
    }

    /// `path` made absolute against `directory`, cleaned.
    public static func absolute(_ path: String, from directory: String) -> String {
        path.hasPrefix("/") ? clean(path) : join(directory, path)
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = path[..<slash]
        return head.isEmpty ? "/" : String(head)
    }

    public static func base(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func currentDirectory() throws(OCIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else {
            throw .system("getcwd", errno: errno)
        }
        return String(cString: buffer)
    }
}
