/// Go `flag`-style parsing, as runc's CLI does it: `-name` or `--name`, `--name=value` or
/// `--name value`, booleans with an optional `=true|false`, the last occurrence winning, and
/// flags allowed among the positional arguments (urfave/cli reorders them) until `--`.
struct FlagParser {
    struct Result {
        var values: [String: String] = [:]
        var positionals: [String] = []
        var helpRequested = false
    }

    let options: [OptionSpec]
    /// Stop at the first positional argument (global flags end where the command starts).
    let stopAtPositional: Bool

    func parse(_ arguments: ArraySlice<String>) throws(OCIError) -> (Result, rest: ArraySlice<String>) {
        var result = Result()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let token = arguments[index]
            index += 1
            if token == "--" {
                result.positionals.append(contentsOf: arguments[index...])
                return (result, arguments[arguments.endIndex...])
            }
            guard token.hasPrefix("-"), token != "-" else {
                if stopAtPositional { return (result, arguments[(index - 1)...]) }
                result.positionals.append(token)
                continue
            }
            let body = token.hasPrefix("--") ? token.dropFirst(2) : token.dropFirst()
            let name: String
            var inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            guard let option = options.first(where: { $0.matches(name) }) else {
                throw .usage("flag provided but not defined: -\(name)")
            }
            if option.valueName == nil {
                let enabled = try inlineValue.map { text throws(OCIError) in try FlagParser.bool(text, flag: name) } ?? true
                if option.key == "help" {
                    result.helpRequested = enabled
                } else {
                    result.values[option.key] = enabled ? "true" : "false"
                }
            } else if let inlineValue {
                result.values[option.key] = inlineValue
            } else {
                guard index < arguments.endIndex else { throw .usage("flag needs an argument: -\(name)") }
                result.values[option.key] = arguments[index]
                index += 1
            }
        }
        return (result, arguments[arguments.endIndex...])
    }

    /// Go's strconv.ParseBool.
    static func bool(_ text: String, flag: String) throws(OCIError) -> Bool {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw .usage("invalid boolean value \"\(text)\" for -\(flag): parse error")
        }
    }
}
