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
        parse(mountinfo: Array(mountinfo.utf8), procCgroup: Array(procCgroup.utf8))
    }

    /// The same over the files' bytes. This runs on every create, on the longest path of a
    /// cached run, so it scans by index and makes Strings only of a cgroup mount's fields:
    /// splitting every line into arrays of slices cost about 90 µs a run, mostly retains and
    /// releases.
    static func parse(mountinfo: [UInt8], procCgroup: [UInt8]) -> [CgroupHierarchy] {
        // /proc/self/cgroup: "id:controllers:path"; a later line for a hierarchy wins.
        var ownPaths: [(key: String, path: String)] = []
        forEachLine(procCgroup) { line in
            guard let first = procCgroup[line].firstIndex(of: colon),
                  let second = procCgroup[(first + 1)..<line.upperBound].firstIndex(of: colon)
            else { return }
            let controllers = names(procCgroup, (first + 1)..<second) { _ in true }
            ownPaths.append((controllers.isEmpty ? "unified" : controllers.concatenated(separator: ","),
                             String(decoding: procCgroup[(second + 1)..<line.upperBound], as: UTF8.self)))
        }
        var result: [CgroupHierarchy] = []
        forEachLine(mountinfo) { line in
            guard let mount = cgroupMount(mountinfo, line) else { return }
            var controllers: [String] = []
            if !mount.unified {
                controllers = names(mountinfo, mount.superOptions) { knownControllers.contains($0) || $0.hasPrefix("name=") }
                guard !controllers.isEmpty else { return }
            }
            let text = { (range: Range<Int>) in String(decoding: mountinfo[range], as: UTF8.self) }
            var hierarchy = CgroupHierarchy(controllers: controllers, mountPoint: unescape(text(mount.point)),
                                            mountRoot: unescape(text(mount.root)))
            guard !result.contains(where: { $0.key == hierarchy.key }) else { return }
            hierarchy.ownPath = ownPaths.last { $0.key == hierarchy.key }?.path ?? "/"
            result.append(hierarchy)
        }
        return result
    }

    private static let colon = UInt8(ascii: ":")

    /// The ranges of `bytes` between newlines, empty lines left out.
    private static func forEachLine(_ bytes: [UInt8], _ body: (Range<Int>) -> Void) {
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if end > start { body(start..<end) }
            start = end + 1
        }
    }

    /// The comma-separated names in `range` that `keep` accepts, sorted.
    private static func names(_ bytes: [UInt8], _ range: Range<Int>, keep: (String) -> Bool) -> [String] {
        var names: [String] = []
        var start = range.lowerBound
        while start < range.upperBound {
            let end = bytes[start..<range.upperBound].firstIndex(of: UInt8(ascii: ",")) ?? range.upperBound
            if end > start {
                let name = String(decoding: bytes[start..<end], as: UTF8.self)
                if keep(name) { names.append(name) }
            }
            start = end + 1
        }
        return names.sorted()
    }

    /// A mountinfo line's fields, when it is a cgroup or cgroup2 mount: "ID PARENT MAJ:MIN ROOT
    /// MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS", fields separated by runs
    /// of spaces. The first "-" field is the separator; it must follow the six fixed fields.
    private static func cgroupMount(_ bytes: [UInt8], _ line: Range<Int>)
        -> (root: Range<Int>, point: Range<Int>, unified: Bool, superOptions: Range<Int>)?
    {
        var root = 0..<0, point = 0..<0
        var unified = false
        var separator = -1
        var index = 0
        var position = line.lowerBound
        while position < line.upperBound {
            if bytes[position] == UInt8(ascii: " ") {
                position += 1
                continue
            }
            let start = position
            while position < line.upperBound && bytes[position] != UInt8(ascii: " ") { position += 1 }
            let field = start..<position
            if index == 3 { root = field }
            if index == 4 { point = field }
            if separator < 0 {
                if field.count == 1 && bytes[start] == UInt8(ascii: "-") {
                    guard index >= 6 else { return nil }
                    separator = index
                }
            } else if index == separator + 1 {
                if equals(bytes, field, "cgroup2") {
                    unified = true
                } else if !equals(bytes, field, "cgroup") {
                    return nil
                }
            } else if index == separator + 3 {
                return (root, point, unified, field)
            }
            index += 1
        }
        return nil
    }

    private static func equals(_ bytes: [UInt8], _ range: Range<Int>, _ literal: StaticString) -> Bool {
        range.count == literal.utf8CodeUnitCount && bytes[range].elementsEqual(
            UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
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
        return parse(mountinfo: mountinfo, procCgroup: own)
    }
}
