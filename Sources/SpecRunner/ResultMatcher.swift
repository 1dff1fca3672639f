/// Judges one command by the line its instance's process printed for it:
/// "ok <type>:<bits> ..." or "trap <text>".
enum ResultMatcher {
    static func judge(_ command: SpecCommand, line: Substring?) -> Outcome {
        guard let line else { return .failed("no result") }
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        let status = words.first.map(String.init) ?? ""
        let rest = words.dropFirst()
        switch command.type {
        case "assert_unlinkable":
            return status == "unlinkable" ? .passed : .failed("module linked (expected \"\(command.text ?? "")\")")
        case "action":
            return status == "ok" ? .passed : .failed("trapped: \(rest.joined(separator: " "))")
        case "assert_return":
            guard status == "ok" else { return .failed("trapped: \(rest.joined(separator: " "))") }
            let actual = Array(rest)
            guard actual.count == command.expected.count else {
                return .failed("\(actual.count) results, expected \(command.expected.count)")
            }
            for (got, expected) in zip(actual, command.expected) where !matches(got, expected) {
                return .failed("got \(actual.joined(separator: " ")), expected \(describe(command.expected))")
            }
            return .passed
        case "assert_trap", "assert_exhaustion", "assert_uninstantiable", "module":
            let expected = command.type == "module" ? nil : command.text ?? ""
            guard let expected else { return status == "ok" ? .passed : .failed("instantiation trapped: \(rest.joined(separator: " "))") }
            guard status == "trap" else { return .failed("returned \(rest.joined(separator: " ")), expected trap \"\(expected)\"") }
            let text = rest.joined(separator: " ")
            return Self.trap(text, matches: expected) ? .passed : .failed("trap \"\(text)\", expected \"\(expected)\"")
        default:
            return .failed("not a runnable command")
        }
    }

    /// The suite's rule (the message starts with the expected text), except
    /// that the runtime's trap reasons carry no element index: "uninitialized
    /// element" stands for "uninitialized element 2".
    private static func trap(_ text: String, matches expected: String) -> Bool {
        if text.hasPrefix(expected) { return true }
        guard expected.hasPrefix(text + " ") else { return false }
        let index = expected.dropFirst(text.count + 1)
        return !index.isEmpty && index.allSatisfy(\.isNumber)
    }

    private static func describe(_ values: [SpecValue]) -> String {
        values.map { "\($0.type):\($0.value ?? "?")" }.joined(separator: " ")
    }

    private static func matches(_ got: Substring, _ expected: SpecValue) -> Bool {
        let parts = got.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0] == expected.type || (parts[0] == "ref" && expected.type.hasSuffix("ref")) else {
            return false
        }
        let text = String(parts[1])
        guard let want = expected.value else { return true }
        if expected.type == "v128" { return SpecLanes.matches(text, expected) }
        switch want {
        case "nan:canonical", "nan:arithmetic":
            guard let bits = UInt64(text) else { return false }
            let (quiet, payloadMask): (UInt64, UInt64) = expected.type == "f32"
                ? (0x7FC0_0000, 0x7FFF_FFFF) : (0x7FF8_0000_0000_0000, 0x7FFF_FFFF_FFFF_FFFF)
            return want == "nan:canonical" ? bits & payloadMask == quiet : bits & quiet == quiet
        case "null":
            return text == "null"
        default:
            if parts[0] == "ref" {  // host reference N travels as N + 1
                return expected.type == "externref" && UInt64(text) == UInt64(want).map { $0 + 1 }
            }
            return UInt64(text) == UInt64(want)
        }
    }
}
