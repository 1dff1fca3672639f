import Glibc

/// The fields of /proc/<pid>/stat that tell whether a recorded pid is still our process.
public struct ProcessStat: Equatable, Sendable {
    /// Field 3: R, S, D, Z (zombie), X (dead), ...
    public var state: Character
    public var parentPID: Int32
    /// Field 22: clock ticks after boot; with the pid, identifies one process for its lifetime.
    public var startTime: UInt64

    public var isDead: Bool { state == "Z" || state == "X" || state == "x" }

    /// Parses a stat line. The command name (field 2) may hold spaces and ")", so fields are
    /// counted from the last ")".
    public static func parse(_ line: [UInt8]) -> ProcessStat? {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = line[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        guard fields.count > 19, fields[0].count == 1,
              let parent = Int32(String(decoding: fields[1], as: UTF8.self)),
              let start = UInt64(String(decoding: fields[19], as: UTF8.self).prefix { $0 != "\n" })
        else { return nil }
        return ProcessStat(state: Character(UnicodeScalar(fields[0][fields[0].startIndex])),
                           parentPID: parent, startTime: start)
    }

    /// nil when there is no such process (or /proc cannot tell).
    public static func read(pid: Int32) -> ProcessStat? {
        guard pid > 0 else { return nil }
        guard let bytes = try? FileIO.readFile("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return parse(bytes)
    }
}
