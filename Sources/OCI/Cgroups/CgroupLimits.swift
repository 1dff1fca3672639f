/// linux.resources as cgroup file writes, for v1 and v2 (runc's conversions). Pure.
public struct CgroupWrite: Equatable, Sendable {
    /// The controller whose files these are ("memory", "pids", "cpu", "cpuset").
    public var controller: String
    public var file: String
    public var value: String

    public init(_ controller: String, _ file: String, _ value: String) {
        self.controller = controller
        self.file = file
        self.value = value
    }
}

public enum CgroupLimits {
    /// In the order they must be written (a period before its quota, the limit before memsw).
    public static func v1(_ resources: Spec.Resources) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let limit = resources.memoryLimit, limit != 0 {
            writes.append(.init("memory", "memory.limit_in_bytes", limit > 0 ? String(limit) : "-1"))
        }
        if let reservation = resources.memoryReservation, reservation != 0 {
            writes.append(.init("memory", "memory.soft_limit_in_bytes", reservation > 0 ? String(reservation) : "-1"))
        }
        if let swap = resources.memorySwap, swap != 0 {
            writes.append(.init("memory", "memory.memsw.limit_in_bytes", swap > 0 ? String(swap) : "-1"))
        }
        if let pids = resources.pidsLimit {
            writes.append(.init("pids", "pids.max", pids > 0 ? String(pids) : "max"))
        }
        if let shares = resources.cpuShares, shares != 0 {
            writes.append(.init("cpu", "cpu.shares", String(shares)))
        }
        if let period = resources.cpuPeriod, period != 0 {
            writes.append(.init("cpu", "cpu.cfs_period_us", String(period)))
        }
        if let quota = resources.cpuQuota, quota != 0 {
            writes.append(.init("cpu", "cpu.cfs_quota_us", quota > 0 ? String(quota) : "-1"))
        }
        writes += cpuset(resources)
        return writes
    }

    public static func v2(_ resources: Spec.Resources) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let limit = resources.memoryLimit, limit != 0 {
            writes.append(.init("memory", "memory.max", limit > 0 ? String(limit) : "max"))
        }
        if let reservation = resources.memoryReservation, reservation != 0 {
            writes.append(.init("memory", "memory.low", reservation > 0 ? String(reservation) : "max"))
        }
        if let swap = swapV2(limit: resources.memoryLimit ?? 0, swap: resources.memorySwap ?? 0) {
            writes.append(.init("memory", "memory.swap.max", swap))
        }
        if let pids = resources.pidsLimit {
            writes.append(.init("pids", "pids.max", pids > 0 ? String(pids) : "max"))
        }
        if let shares = resources.cpuShares, shares != 0 {
            writes.append(.init("cpu", "cpu.weight", String(weight(shares: shares))))
        }
        if resources.cpuQuota.map({ $0 != 0 }) ?? false || resources.cpuPeriod.map({ $0 != 0 }) ?? false {
            let quota = resources.cpuQuota ?? 0
            let period = resources.cpuPeriod.flatMap { $0 == 0 ? nil : $0 } ?? 100_000
            writes.append(.init("cpu", "cpu.max", (quota > 0 ? String(quota) : "max") + " " + String(period)))
        }
        writes += cpuset(resources)
        return writes
    }

    /// `update`'s writes: those of create for the same resources, except that the memory limit
    /// itself is left alone (the caller has checked that it does not change; v2's swap.max is
    /// counted from `currentMemoryLimit`), a pids limit of 0 changes nothing (runc's update
    /// reads an absent one as 0), and a v2 quota without a period keeps the current period.
    public static func update(_ resources: Spec.Resources, unified: Bool, currentMemoryLimit: Int64?) -> [CgroupWrite] {
        var changes = resources
        changes.memoryLimit = nil
        if changes.pidsLimit == 0 { changes.pidsLimit = nil }
        guard unified else { return v1(changes) }
        var writes = v2(changes)
        if let swap = resources.memorySwap, swap > 0, let limit = currentMemoryLimit, limit > 0 {
            writes.removeAll { $0.file == "memory.swap.max" }
            writes.append(.init("memory", "memory.swap.max", String(max(swap - limit, 0))))
        }
        if resources.cpuPeriod == nil || resources.cpuPeriod == 0, let index = writes.firstIndex(where: { $0.file == "cpu.max" }) {
            writes[index].value = String(writes[index].value.split(separator: " ")[0])
        }
        return writes
    }

    /// runc's ConvertCPUSharesToCgroupV2Value: [2, 262144] onto [1, 10000].
    static func weight(shares: UInt64) -> UInt64 {
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }

    /// v1's memsw limit is memory plus swap; v2's swap.max is swap alone.
    static func swapV2(limit: Int64, swap: Int64) -> String? {
        if swap == 0 { return nil }
        if swap < 0 { return "max" }
        if limit <= 0 { return nil }
        return String(max(swap - limit, 0))
    }

    private static func cpuset(_ resources: Spec.Resources) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let cpus = resources.cpusetCPUs, !cpus.isEmpty { writes.append(.init("cpuset", "cpuset.cpus", cpus)) }
        if let mems = resources.cpusetMems, !mems.isEmpty { writes.append(.init("cpuset", "cpuset.mems", mems)) }
        return writes
    }
}
