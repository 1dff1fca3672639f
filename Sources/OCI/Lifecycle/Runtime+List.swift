import Glibc

/// One row of `list`: runc's list object (the state plus its owner) and its table cells.
public struct ContainerListing: Equatable, Sendable {
    public var id: String
    public var object: GoJSON
    /// ID, PID, STATUS, BUNDLE, CREATED, OWNER.
    public var cells: [String]

    /// A mewz container: its state, its status now, and the owner of its directory.
    public init(state: ContainerState, status: ContainerStatus, owner: String) {
        id = state.id
        object = state.runcStateObject(status: status, owner: owner)
        cells = [state.id, String(status == .stopped ? 0 : state.pid), status.rawValue, state.bundle,
                 state.created.rfc3339Nano, owner]
    }

    /// One object of the fallback runtime's `list --format json`, kept as it printed it.
    init?(foreign node: JSONNode) {
        guard let id = try? node.member("id")?.string(), let object = try? node.goJSON() else { return nil }
        func text(_ key: String) -> String {
            guard let member = try? node.member(key) else { return "" }
            return (try? member.string()) ?? (try? member.int64()).map { String($0) } ?? ""
        }
        self.id = id
        self.object = object
        cells = [id, text("pid"), text("status"), text("bundle"), text("created"), text("owner")]
    }
}

extension Runtime {
    /// `list`: every directory under the root holding a mewz-state.json, and the containers
    /// the fallback runtime keeps there (its own `list`, when any directory holds runc's
    /// state.json), sorted by id. Entries that are not containers (or half-deleted) are
    /// skipped, as runc does.
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
        var foreign = false
        for id in ids.sorted() {
            guard let directory = try? directory(id) else { continue }
            guard let state = try? directory.loadState() else {
                if FileIO.exists(directory.runcStatePath) { foreign = true }
                continue
            }
            listings.append(ContainerListing(state: state, status: directory.status(of: state),
                                             owner: Runtime.ownerName(of: directory.path)))
        }
        if foreign {
            listings += try fallbackListings()
            listings.sort { $0.id < $1.id }
        }
        return listings
    }

    /// `<fallback> --root <root> list --format json`, whose stderr (complaints about the
    /// mewz directories it cannot load) is dropped.
    private func fallbackListings() throws(OCIError) -> [ContainerListing] {
        let runtime = try fallbackRuntime() ?? "runc"
        let output = try ProcessControl.capture(runtime, ["--root", root, "list", "--format", "json"])
        let document = try JSONDocument.parse(output, source: "\(runtime) list")
        guard !document.rootNode.isNull else { return [] }
        return try document.rootNode.elements().compactMap { ContainerListing(foreign: $0) }
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
        return GoJSON.array(listings.map(\.object)).compact + "\n"
    }

    /// runc's tabwriter table (minimum width 12, padding 3), or the ids alone with `quiet`.
    public static func table(_ listings: [ContainerListing], quiet: Bool) -> String {
        if quiet { return listings.map { $0.id + "\n" }.joined() }
        let rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]] + listings.map(\.cells)
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
