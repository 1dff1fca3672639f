import Glibc

/// The monitor's cgroup: one directory per mounted hierarchy (cgroup v1, v2, or both on a
/// hybrid host), made and limited by `create`, joined by the monitor itself before it opens
/// /dev/kvm (so the VM's memory is charged to it), frozen by `pause`, removed by `delete`.
public struct ContainerCgroup: Equatable, Sendable {
    /// Hierarchy key (CgroupHierarchy.key: "memory", "cpu,cpuacct", "unified") → directory.
    public var directories: [String: String]

    public init(directories: [String: String]) {
        self.directories = directories
    }

    /// How the monitor joins it (CgroupJoin).
    var join: CgroupJoin { CgroupJoin(self) }

    /// Makes the directories and writes the limits; on failure removes what it made.
    static func create(_ path: CgroupPath, resources: Spec.Resources,
                       hierarchies: [CgroupHierarchy]) throws(OCIError) -> ContainerCgroup {
        let unifiedOnly = !hierarchies.isEmpty && hierarchies.allSatisfy(\.isUnified)
        let writes = unifiedOnly ? CgroupLimits.v2(resources) : CgroupLimits.v1(resources)
        var cgroup = ContainerCgroup(directories: [:])
        var made: [String] = []
        do throws(OCIError) {
            for hierarchy in hierarchies {
                guard let directory = hierarchy.directory(of: path.path(ownPath: hierarchy.ownPath)) else { continue }
                let enable = hierarchy.isUnified && unifiedOnly ? Set(writes.map(\.controller)) : []
                if try makeDirectory(directory, in: hierarchy, enabling: enable) { made.append(directory) }
                cgroup.directories[hierarchy.key] = directory
            }
            for write in writes {
                try CgroupFile.write(try cgroup.directory(for: write.controller, unified: unifiedOnly) + "/" + write.file, write.value)
            }
        } catch {
            for directory in made.reversed() { _ = rmdir(directory) }
            throw error
        }
        return cgroup
    }

    /// The directory of the v1 hierarchy that has `controller` ("cpu" is in "cpu,cpuacct").
    func v1Directory(_ controller: String) -> String? {
        directories.first { $0.key.split(separator: ",").contains(Substring(controller)) }?.value
    }

    /// Where a limit of `controller` is written: the unified directory on a v2-only host, else
    /// the v1 hierarchy that has the controller.
    func directory(for controller: String, unified: Bool) throws(OCIError) -> String {
        guard let directory = unified ? directories["unified"] : v1Directory(controller) else {
            throw OCIError.cgroupControllerMissing(controller)
        }
        return directory
    }

    /// Removes every directory (their parents stay, as runc leaves them). A cgroup whose last
    /// process has just exited can be busy for a moment: retried briefly.
    func remove() throws(OCIError) {
        for directory in directories.values.sorted() {
            var attempts = 0
            while rmdir(directory) != 0 {
                let code = errno
                if code == ENOENT { break }
                attempts += 1
                guard code == EBUSY && attempts < 50 else { throw .system("remove cgroup", directory, errno: code) }
                ProcessControl.sleep(milliseconds: 2)
            }
        }
    }

    /// mkdir -p below the hierarchy's mount point. cpuset v1 directories get their parent's
    /// cpus and mems (a task cannot join one that has none); on v2, each ancestor enables
    /// `enabling` in its cgroup.subtree_control so the leaf has those controllers' files.
    /// Returns whether the leaf itself was made (false: it existed).
    private static func makeDirectory(_ directory: String, in hierarchy: CgroupHierarchy,
                                      enabling: Set<String>) throws(OCIError) -> Bool {
        let base = PathName.clean(hierarchy.mountPoint)
        let relative = directory.dropFirst(base.count).split(separator: "/")
        var current = base
        var madeLeaf = false
        for (index, component) in relative.enumerated() {
            if !enabling.isEmpty { enableControllers(enabling, in: current) }
            let parent = current
            current.append("/")
            current.append(contentsOf: component)  // String + Substring would call generic code
            let made = mkdir(current, 0o755) == 0
            if made {
                if index == relative.count - 1 { madeLeaf = true }
            } else if errno != EEXIST {
                throw .system("make cgroup", current, errno: errno)
            }
            if hierarchy.controllers.contains("cpuset") {
                for file in ["cpuset.cpus", "cpuset.mems"] {
                    // A directory just made has none (or, with cgroup.clone_children, its
                    // parent's already): no need to read it.
                    let mine = made ? "" : CgroupFile.read(current + "/" + file) ?? ""
                    if mine.allSatisfy(\.isWhitespace), let inherited = CgroupFile.read(parent + "/" + file) {
                        try CgroupFile.write(current + "/" + file, inherited.trimmingTrailingNewline)
                    }
                }
            }
        }
        return madeLeaf
    }

    /// Best effort: a cgroup with processes of its own cannot delegate (EBUSY); a limit that
    /// then has no file fails with that file's name.
    static func enableControllers(_ controllers: Set<String>, in directory: String) {
        guard let available = CgroupFile.read(directory + "/cgroup.controllers") else { return }
        let present = Set(available.split(whereSeparator: \.isWhitespace).map(String.init))
        let wanted = controllers.intersection(present).sorted()
        guard !wanted.isEmpty else { return }
        try? CgroupFile.write(directory + "/cgroup.subtree_control", wanted.map { "+" + $0 }.joined(separator: " "))
    }
}

/// Reads and writes of the small text files of cgroupfs.
enum CgroupFile {
    static func read(_ path: String) -> String? {
        guard let bytes = try? FileIO.readFile(path, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func write(_ path: String, _ value: String) throws(OCIError) {
        let fd = Syscall.retrying { open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY) }
        guard fd >= 0 else { throw .system("cgroup: open", path, errno: errno) }
        defer { close(fd) }
        // One write(2): the kernel parses each write as a whole value.
        let failure = FileIO.writeAll(fd, Array(value.utf8))
        guard failure == 0 else { throw .system("cgroup: write \"\(value)\" to", path, errno: failure) }
    }

    /// The integer in a one-value file ("max" and unreadable files give nil).
    static func integer(_ path: String) -> UInt64? {
        read(path).flatMap { UInt64($0.trimmingTrailingNewline) }
    }

    /// "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control).
    static func keyed(_ path: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in (read(path) ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = UInt64(parts[1]) { result[String(parts[0])] = value }
        }
        return result
    }
}

extension String {
    var trimmingTrailingNewline: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
