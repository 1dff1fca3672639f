/// `events`' statistics from the monitor's cgroup, in runc's types.Stats JSON (Go's
/// omitempty rules). A VM's view: CPU time and memory of the monitor (guest RAM and linear
/// memory it touched), and its pids; block I/O and hugetlb stay empty.
extension ContainerCgroup {
    struct Snapshot: Equatable {
        var cpuTotal: UInt64 = 0
        var cpuPerCPU: [UInt64] = []
        var cpuUser: UInt64 = 0
        var cpuKernel: UInt64 = 0
        var memoryUsage: UInt64 = 0
        var memoryMax: UInt64 = 0
        var memoryLimit: UInt64 = 0
        var memoryFailcnt: UInt64 = 0
        var memoryCache: UInt64 = 0
        var memoryRaw: [String: UInt64] = [:]
        var pidsCurrent: UInt64 = 0
        var pidsLimit: UInt64 = 0
        /// OOM kills so far (an "oom" event each time it grows).
        var oomKills: UInt64 = 0
    }

    /// Nanoseconds per USER_HZ tick of cpuacct.stat.
    static let nanosecondsPerTick: UInt64 = 10_000_000

    func snapshot() -> Snapshot {
        var snapshot = Snapshot()
        if let unified = directories["unified"], directories.count == 1 {
            let cpu = CgroupFile.keyed(unified + "/cpu.stat")
            snapshot.cpuTotal = (cpu["usage_usec"] ?? 0) * 1000
            snapshot.cpuUser = (cpu["user_usec"] ?? 0) * 1000
            snapshot.cpuKernel = (cpu["system_usec"] ?? 0) * 1000
            snapshot.memoryUsage = CgroupFile.integer(unified + "/memory.current") ?? 0
            snapshot.memoryMax = CgroupFile.integer(unified + "/memory.peak") ?? 0
            snapshot.memoryLimit = CgroupFile.integer(unified + "/memory.max") ?? UInt64(Int64.max)
            let events = CgroupFile.keyed(unified + "/memory.events")
            snapshot.memoryFailcnt = events["max"] ?? 0
            snapshot.oomKills = events["oom_kill"] ?? 0
            snapshot.memoryRaw = CgroupFile.keyed(unified + "/memory.stat")
            snapshot.memoryCache = snapshot.memoryRaw["file"] ?? 0
            snapshot.pidsCurrent = CgroupFile.integer(unified + "/pids.current") ?? 0
            snapshot.pidsLimit = CgroupFile.integer(unified + "/pids.max") ?? 0
            return snapshot
        }
        if let cpuacct = v1Directory("cpuacct") {
            snapshot.cpuTotal = CgroupFile.integer(cpuacct + "/cpuacct.usage") ?? 0
            snapshot.cpuPerCPU = (CgroupFile.read(cpuacct + "/cpuacct.usage_percpu") ?? "")
                .split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
            let ticks = CgroupFile.keyed(cpuacct + "/cpuacct.stat")
            snapshot.cpuUser = (ticks["user"] ?? 0) * ContainerCgroup.nanosecondsPerTick
            snapshot.cpuKernel = (ticks["system"] ?? 0) * ContainerCgroup.nanosecondsPerTick
        }
        if let memory = v1Directory("memory") {
            snapshot.memoryUsage = CgroupFile.integer(memory + "/memory.usage_in_bytes") ?? 0
            snapshot.memoryMax = CgroupFile.integer(memory + "/memory.max_usage_in_bytes") ?? 0
            snapshot.memoryLimit = CgroupFile.integer(memory + "/memory.limit_in_bytes") ?? 0
            snapshot.memoryFailcnt = CgroupFile.integer(memory + "/memory.failcnt") ?? 0
            snapshot.memoryRaw = CgroupFile.keyed(memory + "/memory.stat")
            snapshot.memoryCache = snapshot.memoryRaw["cache"] ?? 0
            snapshot.oomKills = CgroupFile.keyed(memory + "/memory.oom_control")["oom_kill"] ?? 0
        }
        if let pids = v1Directory("pids") {
            snapshot.pidsCurrent = CgroupFile.integer(pids + "/pids.current") ?? 0
            snapshot.pidsLimit = CgroupFile.integer(pids + "/pids.max") ?? 0
        }
        return snapshot
    }
}

extension ContainerCgroup.Snapshot {
    /// runc's types.Stats as `events` prints it.
    var statsJSON: GoJSON {
        func omitEmpty(_ members: [GoJSON.Member]) -> [GoJSON.Member] {
            members.filter { member in
                switch member.value {
                case .integer(0), .array([]), .object([]): return false
                default: return true
                }
            }
        }
        func unsigned(_ value: UInt64) -> GoJSON { .integer(Int64(clamping: value)) }
        let usage = GoJSON.object(omitEmpty([
            .init("total", unsigned(cpuTotal)), .init("percpu", .array(cpuPerCPU.map(unsigned))),
        ]) + [.init("kernel", unsigned(cpuKernel)), .init("user", unsigned(cpuUser))])
        let memoryEntry = GoJSON.object([.init("limit", unsigned(memoryLimit))]
            + omitEmpty([.init("usage", unsigned(memoryUsage)), .init("max", unsigned(memoryMax))])
            + [.init("failcnt", unsigned(memoryFailcnt))])
        let raw = memoryRaw.keys.sorted().map { GoJSON.Member($0, unsigned(memoryRaw[$0] ?? 0)) }
        let memory = GoJSON.object(omitEmpty([.init("cache", unsigned(memoryCache))])
            + [.init("usage", memoryEntry), .init("swap", .object([.init("limit", .integer(0)), .init("failcnt", .integer(0))])),
               .init("kernel", .object([.init("limit", .integer(0)), .init("failcnt", .integer(0))])),
               .init("kernelTCP", .object([.init("limit", .integer(0)), .init("failcnt", .integer(0))]))]
            + omitEmpty([.init("raw", .object(raw))]))
        return .object([
            .init("cpu", .object([.init("usage", usage), .init("throttling", .object([]))])),
            .init("cpuset", .object([])),
            .init("memory", memory),
            .init("pids", .object(omitEmpty([.init("current", unsigned(pidsCurrent)), .init("limit", unsigned(pidsLimit))]))),
            .init("blkio", .object([])),
            .init("hugetlb", .object([])),
            .init("intel_rdt", .object([])),
            .init("network_interfaces", .null),
        ])
    }
}
