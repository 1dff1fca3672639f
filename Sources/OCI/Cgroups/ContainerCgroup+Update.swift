import Glibc

extension ContainerCgroup {
    /// `update`: writes the new limits into the directories `create` made, in create's order.
    /// A memory limit other than the current one is refused before anything is written.
    /// `hierarchies` is read only on cgroup v2, when a controller must be enabled above the leaf.
    func update(_ resources: Spec.Resources,
                hierarchies: () -> [CgroupHierarchy] = { (try? CgroupHierarchy.discover()) ?? [] }) throws(OCIError) {
        let unified = directories.keys.allSatisfy { $0 == "unified" }
        let current = currentMemoryLimit(unified: unified)
        if let requested = resources.memoryLimit, requested != 0 {
            // The kernel keeps a limit rounded down to whole pages.
            let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
            let same = requested < 0 ? current == nil : current.map { $0 / page == requested / page } ?? false
            guard same else { throw .memoryLimitFixed(current: current, requested: requested) }
        }
        var resources = resources
        if unified, resources.cpuQuota == nil, resources.cpuPeriod.map({ $0 != 0 }) == true {
            // v2 sets quota and period in one file: a new period keeps the current quota.
            resources.cpuQuota = currentQuota()
        }
        let writes = CgroupLimits.update(resources, unified: unified, currentMemoryLimit: current)
        if unified, let leaf = directories["unified"] {
            Self.enableMissing(Set(writes.map(\.controller)), above: leaf, hierarchies: hierarchies)
        }
        for write in writes {
            try CgroupFile.write(try directory(for: write.controller, unified: unified) + "/" + write.file, write.value)
        }
    }

    /// v2: create enabled only the controllers its own limits needed, so a limit of another
    /// controller has no file in the leaf yet; enable it on the way down, as create does (and,
    /// as there, a failure shows as the missing file's name).
    private static func enableMissing(_ wanted: Set<String>, above leaf: String, hierarchies: () -> [CgroupHierarchy]) {
        let present = (CgroupFile.read(leaf + "/cgroup.controllers") ?? "").split(whereSeparator: \.isWhitespace)
        guard !wanted.isSubset(of: Set(present.map(String.init))),
              let mount = hierarchies().first(where: { $0.isUnified && leaf.hasPrefix(PathName.clean($0.mountPoint) + "/") })
        else { return }
        var current = PathName.clean(mount.mountPoint)
        for component in leaf.dropFirst(current.count).split(separator: "/") {
            enableControllers(wanted, in: current)
            current.append("/")
            current.append(contentsOf: component)
        }
    }

    /// The memory controller's limit in bytes; nil when unlimited or unreadable (no memory
    /// controller: nothing to compare with, and create wrote no limit either).
    private func currentMemoryLimit(unified: Bool) -> Int64? {
        guard let directory = try? directory(for: "memory", unified: unified),
              let text = CgroupFile.read(directory + (unified ? "/memory.max" : "/memory.limit_in_bytes"))
        else { return nil }
        // v1 reads an unlimited cgroup as the largest page-aligned counter (about 2^63).
        guard let value = Int64(text.trimmingTrailingNewline), value < Int64(1) << 62 else { return nil }
        return value
    }

    /// v2's cpu.max quota: -1 for "max", nil when unreadable.
    private func currentQuota() -> Int64? {
        guard let directory = directories["unified"], let text = CgroupFile.read(directory + "/cpu.max"),
              let first = text.split(whereSeparator: \.isWhitespace).first else { return nil }
        return first == "max" ? -1 : Int64(first)
    }
}
