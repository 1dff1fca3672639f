/// How the monitor child enters its container's cgroup (ContainerCgroup) without making the
/// kernel wait for an RCU grace period. A write to `cgroup.procs` moves a whole thread group
/// and so takes the global threadgroup lock for writing, which waits for a grace period
/// whenever no other such write happened just before: 6-16 ms on the 2-vCPU kvm-pvm
/// machines, more than the rest of a `run`. Instead:
/// - v2 (unified): the child is forked straight into the directory (clone3 with
///   CLONE_INTO_CGROUP; MonitorLaunch), which needs only the read side of that lock;
/// - v1: the child writes "0" into each hierarchy's `tasks`, which moves only the calling
///   thread and takes no global lock. A just-forked child has one thread, so this moves
///   the whole process, as `cgroup.procs` would.
/// Where the fork into the v2 directory is not possible (a kernel without clone3, a caller
/// with more than one thread), the child writes that directory's `cgroup.procs`.
struct CgroupJoin: Equatable, Sendable {
    /// The v2 directory the child is forked into (nil: no unified hierarchy).
    var unifiedDirectory: String?
    /// The v1 `tasks` files the child writes "0" into, in a stable order.
    var threadFiles: [String]

    static let none = CgroupJoin(unifiedDirectory: nil, threadFiles: [])

    init(unifiedDirectory: String?, threadFiles: [String]) {
        self.unifiedDirectory = unifiedDirectory
        self.threadFiles = threadFiles
    }

    init(_ cgroup: ContainerCgroup) {
        unifiedDirectory = cgroup.directories["unified"]
        threadFiles = cgroup.directories.keys.sorted().filter { $0 != "unified" }
            .compactMap { cgroup.directories[$0].map { $0 + "/tasks" } }
    }

    /// The files the child writes "0" into: the v1 `tasks` files, and the v2 `cgroup.procs`
    /// unless the fork already placed the child there.
    func filesToWrite(forkedIntoUnified: Bool) -> [String] {
        guard let unifiedDirectory, !forkedIntoUnified else { return threadFiles }
        return threadFiles + [unifiedDirectory + "/cgroup.procs"]
    }
}
