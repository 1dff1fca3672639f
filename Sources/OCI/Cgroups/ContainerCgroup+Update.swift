import Glibc

extension ContainerCgroup {
    /// `update`: writes the new limits into the directories `create` made, in create's order.
    /// A memory limit other than the current one is refused before anything is written.
    func update(_ resources: Spec.Resources) throws(OCIError) {
        let unified = directories.keys.allSatisfy { $0 == "unified" }
        let current = currentMemoryLimit(unified: unified)
        if let requested = resources.memoryLimit, requested != 0 {
            // The kernel keeps a limit rounded down to whole pages.
            let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
            let same = requested < 0 ? current == nil : current.map { $0 / page == requested / page } ?? false
            guard same else { throw .memoryLimitFixed(current: current, requested: requested) }
        }
        for write in CgroupLimits.update(resources, unified: unified, currentMemoryLimit: current) {
            try CgroupFile.write(try directory(for: write.controller, unified: unified) + "/" + write.file, write.value)
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

    private func directory(for controller: String, unified: Bool) throws(OCIError) -> String {
        if unified, let directory = directories["unified"] { return directory }
        guard let key = directories.keys.first(where: { $0.split(separator: ",").contains(Substring(controller)) }),
              let directory = directories[key]
        else { throw OCIError.cgroupControllerMissing(controller) }
        return directory
    }
}
