import Glibc
import CJSONC

/// A json-c parse tree read with strict types: every accessor names the field it failed on.
/// JSON `null` counts as absent, as it does for Go's decoder (the tools that write config.json).
final class JSONDocument {
    private let root: OpaquePointer?
    let source: String

    static let maximumDepth: Int32 = 64

    private init(root: OpaquePointer?, source: String) {
        self.root = root
        self.source = source
    }

    deinit {
        if let root { json_object_put(root) }
    }

    var rootNode: JSONNode { JSONNode(value: root, field: "(root)", document: self) }

    /// Parses the whole of `bytes` as one JSON text (strict RFC 8259, valid UTF-8).
    static func parse(_ bytes: [UInt8], source: String) throws(OCIError) -> JSONDocument {
        guard bytes.count < Int(Int32.max) else {
            throw .invalidField(source: source, field: "(file)", reason: "is too large")
        }
        guard let tokener = json_tokener_new_ex(maximumDepth) else {
            throw .system("json_tokener_new_ex", errno: ENOMEM)
        }
        defer { json_tokener_free(tokener) }
        if let quote = singleQuoteOutsideStrings(bytes) {
            throw invalidJSON(bytes, at: quote, source: source, reason: "unexpected character")
        }
        json_tokener_set_flags(tokener,
                               JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8)
        // The terminating NUL is part of the input: it tells json-c the input ends there, so a
        // top-level number or literal is complete (json_tokener_parse_ex's documented contract).
        let text = bytes.map { CChar(bitPattern: $0) } + [0]
        let root = text.withUnsafeBufferPointer { buffer in
            json_tokener_parse_ex(tokener, buffer.baseAddress, Int32(buffer.count))
        }
        let end = min(json_tokener_get_parse_end(tokener), bytes.count)
        let status = json_tokener_get_error(tokener)
        if status != json_tokener_success {
            if let root { json_object_put(root) }
            let reason = status == json_tokener_continue
                ? "unexpected end of input" : String(cString: json_tokener_error_desc(status))
            throw invalidJSON(bytes, at: end, source: source, reason: reason)
        }
        let document = JSONDocument(root: root, source: source)
        if let garbage = bytes[end...].firstIndex(where: { !isJSONWhitespace($0) }) {
            throw invalidJSON(bytes, at: garbage, source: source, reason: "unexpected data after the JSON value")
        }
        return document
    }

    /// json-c accepts 'single-quoted' member names even in strict mode; JSON (and Go) do not.
    private static func singleQuoteOutsideStrings(_ bytes: [UInt8]) -> Int? {
        var inString = false
        var escaped = false
        for (offset, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "'") {
                return offset
            }
        }
        return nil
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func invalidJSON(_ bytes: [UInt8], at offset: Int, source: String, reason: String) -> OCIError {
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return .invalidJSON(source: source, line: line, column: column, reason: reason)
    }
}

/// One value inside a JSONDocument, with the dotted path used in error messages.
struct JSONNode {
    let value: OpaquePointer?
    let field: String
    let document: JSONDocument

    var typeName: String {
        switch json_object_get_type(value) {
        case json_type_null: return "null"
        case json_type_boolean: return "a boolean"
        case json_type_double, json_type_int: return "a number"
        case json_type_object: return "an object"
        case json_type_array: return "an array"
        case json_type_string: return "a string"
        default: return "an unknown JSON type"
        }
    }

    var isNull: Bool { json_object_get_type(value) == json_type_null }

    func mismatch(_ expected: String) -> OCIError {
        .wrongType(source: document.source, field: field, expected: expected, found: typeName)
    }

    func invalid(_ reason: String) -> OCIError {
        .invalidField(source: document.source, field: field, reason: reason)
    }

    private func child(_ value: OpaquePointer?, _ field: String) -> JSONNode {
        JSONNode(value: value, field: field, document: document)
    }

    private func childField(_ key: String) -> String {
        field == "(root)" ? key : field + "." + key
    }

    /// The member `key` of this object, or nil when it is absent or null.
    func member(_ key: String) throws(OCIError) -> JSONNode? {
        guard json_object_get_type(value) == json_type_object else { throw mismatch("an object") }
        var found: OpaquePointer?
        guard json_object_object_get_ex(value, key, &found) != 0 else { return nil }
        let node = child(found, childField(key))
        return node.isNull ? nil : node
    }

    func requiredMember(_ key: String) throws(OCIError) -> JSONNode {
        guard let node = try member(key) else {
            throw .missingField(source: document.source, field: childField(key))
        }
        return node
    }

    /// All members in document order.
    func members() throws(OCIError) -> [(key: String, node: JSONNode)] {
        guard json_object_get_type(value) == json_type_object else { throw mismatch("an object") }
        var result: [(key: String, node: JSONNode)] = []
        var iterator = json_object_iter_begin(value)
        var end = json_object_iter_end(value)
        while json_object_iter_equal(&iterator, &end) == 0 {
            let key = String(cString: json_object_iter_peek_name(&iterator))
            result.append((key, child(json_object_iter_peek_value(&iterator), childField(key))))
            json_object_iter_next(&iterator)
        }
        return result
    }

    func elements() throws(OCIError) -> [JSONNode] {
        guard json_object_get_type(value) == json_type_array else { throw mismatch("an array") }
        let count = json_object_array_length(value)
        var result: [JSONNode] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(child(json_object_array_get_idx(value, index), "\(field)[\(index)]"))
        }
        return result
    }

    /// A string without NUL bytes (they cannot reach a C string or the guest intact).
    func string() throws(OCIError) -> String {
        guard json_object_get_type(value) == json_type_string,
              let characters = json_object_get_string(value) else { throw mismatch("a string") }
        let length = Int(json_object_get_string_len(value))
        let bytes = UnsafeRawBufferPointer(start: characters, count: length)
        guard !bytes.contains(0) else { throw invalid("contains a NUL character") }
        return String(decoding: bytes, as: UTF8.self)
    }

    func bool() throws(OCIError) -> Bool {
        guard json_object_get_type(value) == json_type_boolean else { throw mismatch("a boolean") }
        return json_object_get_boolean(value) != 0
    }

    func int64() throws(OCIError) -> Int64 {
        guard json_object_get_type(value) == json_type_int else { throw mismatch("an integer") }
        errno = 0
        let result = json_object_get_int64(value)
        if errno == EINVAL || (result == Int64.max && json_object_get_uint64(value) != UInt64(Int64.max)) {
            throw invalid("is out of range")
        }
        return result
    }

    /// A non-negative integer.
    func unsigned() throws(OCIError) -> UInt64 {
        let value = try int64()
        guard value >= 0 else { throw invalid("must not be negative") }
        return UInt64(value)
    }

    func stringArray() throws(OCIError) -> [String] {
        var result: [String] = []
        for element in try elements() {
            result.append(try element.string())
        }
        return result
    }

    /// The value as GoJSON, members in document order (numbers must be integers).
    func goJSON() throws(OCIError) -> GoJSON {
        switch json_object_get_type(value) {
        case json_type_null: return .null
        case json_type_boolean: return .bool(try bool())
        case json_type_int: return .integer(try int64())
        case json_type_string: return .string(try string())
        case json_type_array:
            var converted: [GoJSON] = []
            for element in try elements() { converted.append(try element.goJSON()) }
            return .array(converted)
        case json_type_object:
            var converted: [GoJSON.Member] = []
            for (key, node) in try members() { converted.append(.init(key, try node.goJSON())) }
            return .object(converted)
        default:
            throw mismatch("an integer, string, boolean, array or object")
        }
    }

    func stringMap() throws(OCIError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, node) in try members() {
            result[key] = try node.string()
        }
        return result
    }
}
