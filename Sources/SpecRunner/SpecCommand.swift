import Foundation

/// A value in a wast2json script: a type and a bit pattern (decimal), or
/// in expectations a NaN class; references are "null" or a host number.
/// A v128 has a lane type ("i8" ... "f64") and one such string per lane.
struct SpecValue {
    var type: String
    var value: String?
    var laneType: String?
    var lanes: [String]?
}

/// `{"type": "invoke"|"get", "field", "args", "module"}`.
struct SpecAction {
    var kind: String
    var field: String
    var arguments: [SpecValue]
    var module: String?
}

/// One command of a script, as far as the runner needs it.
struct SpecCommand {
    var type: String
    var line: Int
    var filename: String?
    var name: String?
    var registerAs: String?
    var text: String?
    var moduleType: String?
    var action: SpecAction?
    var expected: [SpecValue]
}

struct SpecScriptError: Error, CustomStringConvertible {
    let description: String
    static func notAScript(_ path: String) -> SpecScriptError {
        SpecScriptError(description: "\(path): not a wast2json script")
    }
}

enum SpecScriptReader {
    static func read(_ url: URL) throws -> [SpecCommand] {
        // Foundation drops U+FEFF read raw from a JSON string (names.json
        // exports that name); as an escape it survives. JSON's own syntax is
        // ASCII, so these bytes can only be inside a string.
        let raw = try Data(contentsOf: url)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        let input = [UInt8](raw)
        var position = 0
        while position < input.count {
            if input[position] == 0xEF, position + 2 < input.count, input[position + 1] == 0xBB, input[position + 2] == 0xBF {
                bytes += Array("\\ufeff".utf8)
                position += 3
            } else {
                bytes.append(input[position])
                position += 1
            }
        }
        let data = Data(bytes)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let commands = json["commands"] as? [[String: Any]] else { throw SpecScriptError.notAScript(url.path) }
        return commands.map(command)
    }

    private static func command(_ object: [String: Any]) -> SpecCommand {
        var action: SpecAction?
        if let raw = object["action"] as? [String: Any] {
            action = SpecAction(kind: raw["type"] as? String ?? "", field: raw["field"] as? String ?? "",
                                arguments: values(raw["args"]), module: raw["module"] as? String)
        }
        return SpecCommand(type: object["type"] as? String ?? "", line: object["line"] as? Int ?? 0,
                           filename: object["filename"] as? String, name: object["name"] as? String,
                           registerAs: object["as"] as? String, text: object["text"] as? String,
                           moduleType: object["module_type"] as? String, action: action,
                           expected: values(object["expected"]))
    }

    private static func values(_ raw: Any?) -> [SpecValue] {
        guard let list = raw as? [[String: Any]] else { return [] }
        return list.map { entry in
            if let lanes = entry["value"] as? [String] {
                return SpecValue(type: entry["type"] as? String ?? "", value: lanes.joined(separator: " "),
                                 laneType: entry["lane_type"] as? String, lanes: lanes)
            }
            return SpecValue(type: entry["type"] as? String ?? "", value: entry["value"] as? String)
        }
    }
}
