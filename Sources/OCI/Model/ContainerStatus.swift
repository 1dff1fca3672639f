/// runc's statuses, derived (never stored) from the recorded pid, the start FIFO and the freezer.
public enum ContainerStatus: String, Equatable, Sendable {
    case created, running, stopped, paused

    /// Alive means: the pid exists, is not a zombie, and started at the recorded time (so a
    /// reused pid reads as stopped). A live process is "created" until `start` removes the FIFO,
    /// and "paused" while its cgroup is frozen.
    public static func derive(recordedStartTime: UInt64, process: ProcessStat?, fifoExists: Bool,
                              frozen: Bool = false) -> ContainerStatus
    {
        guard let process, !process.isDead, process.startTime == recordedStartTime else { return .stopped }
        if frozen { return .paused }
        return fifoExists ? .created : .running
    }
}
