/// linux.cgroupsPath to the cgroup the monitor goes into, as runc reads it. Pure.
///
/// cgroupfs driver (the default): an absolute path is used as is in every hierarchy; a
/// relative one is below the caller's own cgroup of that hierarchy; none means `<id>`
/// relative. systemd driver (`--systemd-cgroup`): "slice:prefix:name" names the scope
/// `<prefix>-<name>.scope` (or the slice `name` when it ends in ".slice") inside `slice`,
/// expanded the way systemd nests slices ("a-b.slice" is "/a.slice/a-b.slice"). mewz-runtime
/// does not talk to systemd over D-Bus: it makes that same directory itself.
public enum CgroupPath: Equatable, Sendable {
    /// The same path in every hierarchy.
    case absolute(String)
    /// Below the caller's own cgroup in each hierarchy.
    case relative(String)

    static let defaultSlice = "system.slice"
    static let defaultScopePrefix = "mewz"

    public static func resolve(_ cgroupsPath: String?, id: String, systemd: Bool) throws(OCIError) -> CgroupPath {
        let given = cgroupsPath ?? ""
        if systemd {
            return .absolute(try systemdPath(given.isEmpty ? ":\(defaultScopePrefix):\(id)" : given))
        }
        if given.isEmpty { return .relative(id) }
        let cleaned = PathName.clean(given)
        guard !cleaned.split(separator: "/").contains("..") else { throw .invalidCgroupsPath(given, reason: "leaves the hierarchy") }
        if cleaned.hasPrefix("/") {
            guard cleaned != "/" else { throw .invalidCgroupsPath(given, reason: "is the root cgroup") }
            return .absolute(cleaned)
        }
        // "." (or "a/..") is the caller's own cgroup: the container would take the engine's
        // (conmon's, the shim's) limits as its own, and delete would remove that cgroup.
        guard cleaned != "." else { throw .invalidCgroupsPath(given, reason: "is the caller's own cgroup") }
        return .relative(cleaned)
    }

    /// The cgroup inside a hierarchy whose own cgroup is `ownPath`.
    public func path(ownPath: String) -> String {
        switch self {
        case .absolute(let path): return path
        case .relative(let path): return PathName.join(ownPath, path)
        }
    }

    static func systemdPath(_ text: String) throws(OCIError) -> String {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            throw .invalidCgroupsPath(text, reason: "must have the form \"slice:prefix:name\" with --systemd-cgroup")
        }
        let slice = parts[0].isEmpty ? defaultSlice : parts[0]
        let prefix = parts[1], name = parts[2]
        guard !name.isEmpty, !name.contains("/"), !prefix.contains("/") else {
            throw .invalidCgroupsPath(text, reason: "has an empty or invalid unit name")
        }
        let unit = name.hasSuffix(".slice") ? name : (prefix.isEmpty ? name : prefix + "-" + name) + ".scope"
        return try expandSlice(slice, original: text) + "/" + unit
    }

    /// "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" → "" (the root slice).
    static func expandSlice(_ slice: String, original: String) throws(OCIError) -> String {
        guard slice.hasSuffix(".slice"), !slice.contains("/") else {
            throw .invalidCgroupsPath(original, reason: "\"\(slice)\" is not a systemd slice name")
        }
        if slice == "-.slice" { return "" }
        let name = String(slice.dropLast(".slice".count))
        guard !name.isEmpty, !name.hasPrefix("-"), !name.hasSuffix("-"), !name.contains("--") else {
            throw .invalidCgroupsPath(original, reason: "\"\(slice)\" is not a systemd slice name")
        }
        var path = ""
        var prefix = ""
        for component in name.split(separator: "-") {
            prefix += (prefix.isEmpty ? "" : "-") + component
            path += "/" + prefix + ".slice"
        }
        return path
    }
}
