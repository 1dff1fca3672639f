/// JSON text exactly as Go's encoding/json writes it (runc's `state`, logrus' JSON lines):
/// members in the given order, HTML-safe escaping, and MarshalIndent's layout.
public indirect enum GoJSON: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null
    case array([GoJSON])
    case object([Member])

    public struct Member: Equatable, Sendable {
        public var key: String
        public var value: GoJSON

        public init(_ key: String, _ value: GoJSON) {
            self.key = key
            self.value = value
        }
    }

    /// json.Marshal: no whitespace.
    public var compact: String {
        var out = ""
        write(to: &out, indent: nil, depth: 0)
        return out
    }

    /// json.MarshalIndent(v, "", "  "): no trailing newline.
    public var indented: String {
        var out = ""
        write(to: &out, indent: "  ", depth: 0)
        return out
    }

    private func write(to out: inout String, indent: String?, depth: Int) {
        switch self {
        case .string(let text):
            GoJSON.quote(text, into: &out)
        case .integer(let value):
            out += String(value)
        case .bool(let value):
            out += value ? "true" : "false"
        case .null:
            out += "null"
        case .array(let elements):
            guard !elements.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                if let indent {
                    out += "\n" + String(repeating: indent, count: depth + 1)
                }
                element.write(to: &out, indent: indent, depth: depth + 1)
            }
            if let indent {
                out += "\n" + String(repeating: indent, count: depth)
            }
            out += "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                if let indent {
                    out += "\n" + String(repeating: indent, count: depth + 1)
                }
                GoJSON.quote(member.key, into: &out)
                out += indent == nil ? ":" : ": "
                member.value.write(to: &out, indent: indent, depth: depth + 1)
            }
            if let indent {
                out += "\n" + String(repeating: indent, count: depth)
            }
            out += "}"
        }
    }

    private static let hexDigits = Array("0123456789abcdef")

    static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += unicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    out += unicodeEscape(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        var escape = "\\u"
        for shift in stride(from: 12, through: 0, by: -4) {
            escape.append(hexDigits[Int((value >> UInt32(shift)) & 0xf)])
        }
        return escape
    }
}
