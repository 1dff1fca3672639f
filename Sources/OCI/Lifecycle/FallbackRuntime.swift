import Glibc

/// The runc-compatible runtime that bundles without Wasm are handed to, unchanged, by
/// execve with the same argv (urunc's approach, oci-contract.md §5): pid file, console,
/// stdio, parentage and exit status stay exactly runc's. Later commands for such an id go to
/// it too: its state.json (runc's name) sits in `<root>/<id>/` where mewz-runtime keeps
/// mewz-state.json for its own.
///
/// Configured by, first to last: the global flag `--fallback-runtime PATH`, the environment
/// variable MEWZ_FALLBACK_RUNTIME, the line `fallback-runtime = PATH` in the config file
/// ($MEWZ_RUNTIME_CONFIG, default /etc/mewz-runtime/config). An empty value means none.
/// Pod sandboxes always go to it, or to `runc` on PATH when none is configured.
public enum FallbackRuntime {
    public static let environmentVariable = "MEWZ_FALLBACK_RUNTIME"
    public static let configVariable = "MEWZ_RUNTIME_CONFIG"
    public static let defaultConfigPath = "/etc/mewz-runtime/config"
    static let configKey = "fallback-runtime"

    /// The configured runtime, or nil.
    static func configured(flag: String?, environment: [String: String]) throws(OCIError) -> String? {
        if let flag { return flag.isEmpty ? nil : flag }
        if let value = environment[environmentVariable] { return value.isEmpty ? nil : value }
        let path = environment[configVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultConfigPath
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readFile(path, limit: 1 << 20)
        } catch {
            if !FileIO.exists(path) && environment[configVariable] == nil { return nil }
            throw error
        }
        let value = try RuntimeConfigFile.parse(String(decoding: bytes, as: UTF8.self), source: path)[configKey]
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The argv runc gets: `--root <root>` first (so its state lands beside ours, whatever
    /// its own default is), the caller's other global flags except mewz-runtime's own, then
    /// the command and its arguments untouched.
    public static func arguments(_ original: [String], root: String) -> [String] {
        var kept: [String] = []
        var index = original.startIndex
        while index < original.endIndex, original[index].hasPrefix("-"), original[index] != "--" {
            let token = original[index]
            let body = token.drop { $0 == "-" }
            let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            let takesValue = CommandTable.globalOptions.first { $0.matches(name) }?.valueName != nil
            let span = takesValue && !body.contains("=") ? 2 : 1
            if name != "root" && name != "fallback-runtime" {
                kept += original[index..<min(index + span, original.endIndex)]
            }
            index += span
        }
        return ["--root", root] + kept + original[min(index, original.endIndex)...]
    }

    /// Replaces this process with `runtime` (a path, or a name looked up in PATH).
    static func exec(_ runtime: String, arguments: [String]) -> OCIError {
        let argv = ([runtime] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        if runtime.contains("/") {
            execv(runtime, argv)
        } else {
            execvp(runtime, argv)
        }
        return .fallbackExec(runtime, errno: errno)
    }
}

/// `/etc/mewz-runtime/config`: `key = value` lines (the value may be double-quoted), `#`
/// comments and blank lines. Pure.
public enum RuntimeConfigFile {
    public static func parse(_ text: String, source: String) throws(OCIError) -> [String: String] {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .invalidConfigFile(source, line: number + 1, reason: "expected key = value")
            }
            let key = String(line[..<equals]).trimmingCharacters(in: " \t")
            var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: " \t")
            if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            guard !key.isEmpty else { throw .invalidConfigFile(source, line: number + 1, reason: "empty key") }
            guard key == FallbackRuntime.configKey else {
                throw .invalidConfigFile(source, line: number + 1, reason: "unknown key \"\(key)\"")
            }
            values[key] = value
        }
        return values
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
