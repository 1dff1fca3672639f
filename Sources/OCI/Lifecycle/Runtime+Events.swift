extension Runtime {
    /// `events`: with `stats`, one stats event; otherwise a stats event every `interval`
    /// milliseconds and an "oom" event whenever the cgroup's OOM-kill count grows, until the
    /// container stops. One JSON object per line (runc's types.Event).
    public func events(id: String, stats: Bool, intervalMilliseconds: Int, emit: (String) -> Void) throws(OCIError) {
        let directory = try claimedDirectory(id)
        let state = try directory.loadState()
        guard directory.status(of: state) != .stopped else { throw .containerNotRunning }
        let cgroup = state.cgroup ?? ContainerCgroup(directories: [:])
        var snapshot = cgroup.snapshot()
        emit(Runtime.event("stats", id: id, data: snapshot.statsJSON))
        if stats { return }
        var oomKills = snapshot.oomKills
        while true {
            ProcessControl.sleep(milliseconds: intervalMilliseconds)
            guard FileIO.exists(directory.statePath), directory.status(of: state) != .stopped else { return }
            snapshot = cgroup.snapshot()
            if snapshot.oomKills > oomKills { emit(Runtime.event("oom", id: id, data: nil)) }
            oomKills = snapshot.oomKills
            emit(Runtime.event("stats", id: id, data: snapshot.statsJSON))
        }
    }

    /// `{"type":…,"id":…,"data":…}` (data left out when nil, as runc's omitempty).
    static func event(_ type: String, id: String, data: GoJSON?) -> String {
        var members: [GoJSON.Member] = [.init("type", .string(type)), .init("id", .string(id))]
        if let data { members.append(.init("data", data)) }
        return GoJSON.object(members).compact + "\n"
    }
}
