import Glibc

extension Runtime {
    /// `update`: new limits for a created, running or paused container's cgroup (runc's
    /// "container not running" once it has stopped). The document is read and checked before
    /// the container is looked at, so bad input changes nothing.
    public func update(_ options: UpdateOptions) throws(OCIError) {
        let directory = try claimedDirectory(options.id)
        if let flag = options.runcOnlyFlags.first {
            throw .usage("update --\(flag) is not supported by mewz-runtime (it applies CPU, cpuset, memory and pids limits)")
        }
        let resources: Spec.Resources
        switch options.source {
        case .flags(let given):
            resources = given
        case .standardInput:
            resources = try Spec.parseResourcesDocument(FileIO.readAll(0, path: "standard input", limit: Spec.maximumConfigSize),
                                                        source: "standard input")
        case .file(let path):
            resources = try Spec.parseResourcesDocument(FileIO.readFile(path, limit: Spec.maximumConfigSize), source: path)
        }
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let state = try directory.loadState()
        guard directory.status(of: state) != .stopped else { throw .containerNotRunning }
        guard let cgroup = state.cgroup else { throw .noCgroupToUpdate }
        try cgroup.update(resources)
        log.debug("updated the limits of container \(options.id)")
    }
}
