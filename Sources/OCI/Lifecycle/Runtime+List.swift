import Glibc

/// One row of `list`: a container's state, its status now, and the owner of its directory.
public struct ContainerListing: Equatable, Sendable {
    public var state: ContainerState
    public var status: ContainerStatus
    public var owner: String

    public init(state: ContainerState, status: ContainerStatus, owner: String) {
        self.state = state
        self.status = status
        self.owner = owner
    }
}

extension Runtime {
    /// `list`: every directory under the root holding a mewz state.json, sorted by id. Entries
    /// that are not containers (or another runtime's, or half-deleted) are skipped, as runc does.
    public func list() throws(OCIError) -> [ContainerListing] {
        guard let stream = opendir(root) else {
            if errno == ENOENT { return [] }
            throw .system("open", root, errno: errno)
        }
        defer { closedir(stream) }
        var ids: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if ContainerID.isValid(name) { ids.append(name) }
        }
        var listings: [ContainerListing] = []
        for id in ids.sorted() {
            guard let directory = try? directory(id), let state = try? directory.loadState() else { continue }
            listings.append(ContainerListing(state: state, status: directory.status(of: state),
                                             owner: Runtime.ownerName(of: directory.path)))
        }
        return listings
    }

    /// The user name owning `path`, or "#uid" when it has none (runc's fallback).
    static func ownerName(of path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "" }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let code = getpwuid_r(info.st_uid, &entry, &buffer, buffer.count, &result)
        guard code == 0, result != nil, let name = entry.pw_name else { return "#\(info.st_uid)" }
        return String(cString: name)
    }
}

/// `list`'s two output formats, as runc prints them.
public enum ContainerListFormat {
    /// json.NewEncoder(...).Encode: compact, one newline; `null` when there is no container.
    public static func json(_ listings: [ContainerListing]) -> String {
        guard !listings.isEmpty else { return "null\n" }
        return GoJSON.array(listings.map { $0.state.runcStateObject(status: $0.status, owner: $0.owner) }).compact + "\n"
    }

    /// runc's tabwriter table (minimum width 12, padding 3), or the ids alone with `quiet`.
    public static func table(_ listings: [ContainerListing], quiet: Bool) -> String {
        if quiet { return listings.map { $0.state.id + "\n" }.joined() }
        let rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]] + listings.map { listing in
            [listing.state.id, String(listing.status == .stopped ? 0 : listing.state.pid), listing.status.rawValue,
             listing.state.bundle, listing.state.created.rfc3339Nano, listing.owner]
        }
        return TextTable.render(rows, minimumWidth: 12, padding: 3)
    }
}

/// Go's text/tabwriter for rows of cells, with the last column left unpadded.
enum TextTable {
    static func render(_ rows: [[String]], minimumWidth: Int, padding: Int) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], max(cell.count + padding, minimumWidth))
            }
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined() + "\n"
        }.joined()
    }
}
