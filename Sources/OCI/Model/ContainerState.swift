/// What `create` records in `<root>/<id>/mewz-state.json`: everything later commands need, so
/// edits to config.json after create have no effect. (Not state.json: that name is runc's,
/// whose containers may share the root when bundles are handed to it; FallbackRuntime.)
public struct ContainerState: Equatable, Sendable {
    public var id: String
    /// The container process (the monitor).
    public var pid: Int32
    /// Its /proc start time, the guard against pid reuse.
    public var pidStartTime: UInt64
    public var bundle: String
    public var rootfs: String
    public var created: Timestamp
    public var annotations: [String: String]
    /// "sha256:<hex>" of config.json as create read it.
    public var configDigest: String
    /// The module as named inside the rootfs, and the image built from it.
    public var modulePath: String
    public var imagePath: String
    /// The monitor's cgroup directories (nil: none was made).
    public var cgroup: ContainerCgroup?
    /// config.json's hooks as create read them; start and delete run theirs from here.
    public var hooks: Spec.Hooks

    public init(id: String, pid: Int32, pidStartTime: UInt64, bundle: String, rootfs: String,
                created: Timestamp, annotations: [String: String], configDigest: String,
                modulePath: String, imagePath: String, cgroup: ContainerCgroup? = nil,
                hooks: Spec.Hooks = Spec.Hooks()) {
        self.id = id
        self.pid = pid
        self.pidStartTime = pidStartTime
        self.bundle = bundle
        self.rootfs = rootfs
        self.created = created
        self.annotations = annotations
        self.configDigest = configDigest
        self.modulePath = modulePath
        self.imagePath = imagePath
        self.cgroup = cgroup
        self.hooks = hooks
    }

    /// The runtime-spec version mewz-runtime implements; also `--version`'s "spec:".
    public static let ociVersion = "1.2.0"

    /// The runtime-spec State hooks read on their stdin: ociVersion, id, status, pid (left
    /// out when there is none), bundle, annotations (left out when empty); compact.
    public func hookStateJSON(status: String, pid: Int32?) -> String {
        var members: [GoJSON.Member] = [
            .init("ociVersion", .string(ContainerState.ociVersion)),
            .init("id", .string(id)),
            .init("status", .string(status)),
        ]
        if let pid, pid > 0 { members.append(.init("pid", .integer(Int64(pid)))) }
        members.append(.init("bundle", .string(bundle)))
        if !annotations.isEmpty { members.append(.init("annotations", ContainerState.annotationsObject(annotations))) }
        return GoJSON.object(members).compact
    }

    /// Go marshals a map with its keys in byte order.
    static func annotationsObject(_ annotations: [String: String]) -> GoJSON {
        let sorted = annotations.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        return .object(sorted.map { .init($0.key, .string($0.value)) })
    }

    /// `state`'s output, byte for byte as runc prints it (json.MarshalIndent, no newline).
    public func runcStateJSON(status: ContainerStatus) -> String {
        runcStateObject(status: status, owner: "").indented
    }

    /// runc's state object; `state` leaves owner empty, `list` names the directory's owner.
    public func runcStateObject(status: ContainerStatus, owner: String) -> GoJSON {
        var members: [GoJSON.Member] = [
            .init("ociVersion", .string(ContainerState.ociVersion)),
            .init("id", .string(id)),
            .init("pid", .integer(status == .stopped ? 0 : Int64(pid))),
            .init("status", .string(status.rawValue)),
            .init("bundle", .string(bundle)),
            .init("rootfs", .string(rootfs)),
            .init("created", .string(created.rfc3339Nano)),
        ]
        if !annotations.isEmpty {
            members.append(.init("annotations", ContainerState.annotationsObject(annotations)))
        }
        members.append(.init("owner", .string(owner)))
        return GoJSON.object(members)
    }
}
