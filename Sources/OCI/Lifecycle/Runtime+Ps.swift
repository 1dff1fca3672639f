extension Runtime {
    /// `ps`: the container's processes. A unikernel has one, the monitor; none once stopped.
    public func processes(id: String) throws(OCIError) -> [Int32] {
        let directory = try claimedDirectory(id)
        let state = try directory.loadState()
        return directory.status(of: state) == .stopped ? [] : [state.pid]
    }
}

/// `ps`'s output formats.
public enum ProcessListFormat {
    /// json.NewEncoder(...).Encode of the pid slice: `[123]` or `[]`, one newline.
    public static func json(_ pids: [Int32]) -> String {
        GoJSON.array(pids.map { .integer(Int64($0)) }).compact + "\n"
    }

    /// A "PID" header and one pid per line.
    public static func table(_ pids: [Int32]) -> String {
        "PID\n" + pids.map { "\($0)\n" }.joined()
    }
}
