/// runc's statuses, derived (never stored) from the recorded pid and the start FIFO.
public enum ContainerStatus: String, Equatable, Sendable {
    case created, running, stopped

    /// Alive means: the pid exists, is not a zombie, and started at the recorded time (so a
    /// reused pid reads as stopped). A live process is "created" until `start` removes the FIFO.
    public static func derive(recordedStartTime: UInt64, process: ProcessStat?, fifoExists: Bool)
        -> ContainerStatus
    {
        guard let process, !process.isDead, process.startTime == recordedStartTime else { return .stopped }
        return fifoExists ? .created : .running
    }
}
