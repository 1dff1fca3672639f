import Glibc

/// runc's --log/--log-format/--debug: one line per entry, appended to the log file (or, for
/// debug lines without --log, stderr). Error lines go to the file only: the CLI prints its
/// own `mewz-runtime: <message>` on stderr.
public struct RuntimeLog: Sendable {
    public var path: String?
    public var format: LogFormat
    public var debugEnabled: Bool

    public init(path: String?, format: LogFormat, debugEnabled: Bool) {
        self.path = path
        self.format = format
        self.debugEnabled = debugEnabled
    }

    public init(_ options: GlobalOptions) {
        self.init(path: options.logPath, format: options.logFormat, debugEnabled: options.debug)
    }

    public func debug(_ message: String) {
        guard debugEnabled else { return }
        emit(RuntimeLog.line(level: "debug", message: message, time: .now(), format: format), fallbackFD: 2)
    }

    public func error(_ message: String) {
        emit(RuntimeLog.line(level: "error", message: message, time: .now(), format: format), fallbackFD: nil)
    }

    /// logrus' formats: JSON `{"level":…,"msg":…,"time":…}` (keys sorted, RFC3339 time) or text
    /// `time="…" level=… msg="…"`.
    public static func line(level: String, message: String, time: Timestamp, format: LogFormat) -> String {
        switch format {
        case .json:
            return GoJSON.object([.init("level", .string(level)), .init("msg", .string(message)),
                                  .init("time", .string(time.rfc3339))]).compact + "\n"
        case .text:
            var quoted = ""
            GoJSON.quote(message, into: &quoted)
            return "time=\"\(time.rfc3339)\" level=\(level) msg=\(quoted)\n"
        }
    }

    private func emit(_ line: String, fallbackFD: Int32?) {
        let bytes = Array(line.utf8)
        if let path {
            let fd = Syscall.retrying { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o644) }
            guard fd >= 0 else { return }
            _ = FileIO.writeAll(fd, bytes)
            close(fd)
        } else if let fallbackFD {
            _ = FileIO.writeAll(fallbackFD, bytes)
        }
    }
}
