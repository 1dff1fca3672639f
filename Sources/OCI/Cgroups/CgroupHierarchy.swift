/// One mounted cgroup hierarchy and the caller's own cgroup in it, read from
/// /proc/self/mountinfo and /proc/self/cgroup. Pure parsing; `CgroupHierarchy.discover()`
/// is the only effect.
public struct CgroupHierarchy: Equatable, Sendable {
    /// v1 controllers ("cpu", "memory", "name=systemd"); empty for the v2 (unified) hierarchy.
    public var controllers: [String]
    public var mountPoint: String
    /// The cgroup the mount shows at its mount point ("/" unless it is a bind of a subtree).
    public var mountRoot: String
    /// The caller's cgroup in this hierarchy (from /proc/self/cgroup), "/" when not listed.
    public var ownPath: String

    public var isUnified: Bool { controllers.isEmpty }

    /// The key a container's directory in this hierarchy is recorded under: the controllers
    /// joined by "," (as /proc/<pid>/cgroup names them), or "unified".
    public var key: String { isUnified ? "unified" : controllers.concatenated(separator: ",") }

    /// v1 controller names the kernel knows; any "name=X" option is a named hierarchy.
    static let knownControllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio",
        "perf_event", "hugetlb", "pids", "rdma", "misc",
    ]

    public init(controllers: [String], mountPoint: String, mountRoot: String = "/", ownPath: String = "/") {
        self.controllers = controllers
        self.mountPoint = mountPoint
        self.mountRoot = mountRoot
        self.ownPath = ownPath
    }

    /// The host directory of `cgroup` (a path in this hierarchy), nil when this mount
    /// does not show it.
    public func directory(of cgroup: String) -> String? {
        let root = PathName.clean(mountRoot)
        let path = PathName.clean(cgroup)
        if root == "/" { return PathName.join(mountPoint, path) }
        guard path == root || path.hasPrefix(root + "/") else { return nil }
        return PathName.join(mountPoint, String(path.dropFirst(root.count)))
    }

    /// Every cgroup hierarchy in `mountinfo`, once each (the first mount of a hierarchy wins),
    /// with the own paths from `procCgroup`.
    public static func parse(mountinfo: String, procCgroup: String) -> [CgroupHierarchy] {
        var ownPaths: [String: String] = [:]
        for line in procCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",").map(String.init).sorted()
            ownPaths[controllers.isEmpty ? "unified" : controllers.concatenated(separator: ",")] = String(fields[2])
        }
        var result: [CgroupHierarchy] = []
        let bytes = Array(mountinfo.utf8)
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            // Fields as byte slices; Strings only for a cgroup mount's (a host has dozens of
            // other mounts, and this runs on every create).
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard let separator = fields.firstIndex(where: { $0.elementsEqual("-".utf8) }), separator >= 6,
                  fields.count >= separator + 4
            else { continue }
            let type = fields[separator + 1]
            let unified = type.elementsEqual("cgroup2".utf8)
            guard unified || type.elementsEqual("cgroup".utf8) else { continue }
            let text = { (field: ArraySlice<UInt8>) in String(decoding: field, as: UTF8.self) }
            var controllers: [String] = []
            if !unified {
                controllers = fields[separator + 3].split(separator: UInt8(ascii: ",")).map(text).filter {
                    knownControllers.contains($0) || $0.hasPrefix("name=")
                }.sorted()
                guard !controllers.isEmpty else { continue }
            }
            var hierarchy = CgroupHierarchy(controllers: controllers, mountPoint: unescape(text(fields[4])),
                                            mountRoot: unescape(text(fields[3])))
            guard !result.contains(where: { $0.key == hierarchy.key }) else { continue }
            hierarchy.ownPath = ownPaths[hierarchy.key] ?? "/"
            result.append(hierarchy)
        }
        return result
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo.
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        var input = Array(field.utf8)[...]
        while let byte = input.first {
            if byte == UInt8(ascii: "\\"), input.count >= 4,
               let value = UInt8(String(decoding: input.dropFirst().prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                input = input.dropFirst(4)
            } else {
                bytes.append(byte)
                input = input.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The hierarchies of this process's mount namespace.
    static func discover() throws(OCIError) -> [CgroupHierarchy] {
        let mountinfo = try FileIO.readFile("/proc/self/mountinfo", limit: 4 << 20)
        let own = try FileIO.readFile("/proc/self/cgroup", limit: 1 << 20)
        return parse(mountinfo: String(decoding: mountinfo, as: UTF8.self),
                     procCgroup: String(decoding: own, as: UTF8.self))
    }
}
