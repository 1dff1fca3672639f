/// The part of the OCI runtime spec (config.json) mewz-runtime reads.
/// Unknown fields are ignored, as runc ignores them; known fields are strictly typed.
public struct Spec: Equatable, Sendable {
    public var ociVersion: String
    public var process: Process
    public var root: Root
    public var annotations: [String: String]
    public var hooks: Hooks
    public var linux = Linux()
    /// config.json mounts, in order (Spec+Mounts.swift; what reaches the guest: VolumePlan).
    public var mounts: [Mount] = []

    /// linux.resources.memory.limit in bytes (runc: -1 or absent means unlimited).
    public var memoryLimit: Int64? { linux.resources.memoryLimit }

    public struct Process: Equatable, Sendable {
        public var terminal: Bool
        public var args: [String]
        public var env: [String]
        public var cwd: String
        /// process.consoleSize, applied to the pty of a terminal container.
        public var consoleSize: ConsoleSize? = nil
    }

    public struct ConsoleSize: Equatable, Sendable {
        public var height: UInt16
        public var width: UInt16
    }

    public struct Root: Equatable, Sendable {
        public var path: String
        public var readonly: Bool
    }

    public struct Hook: Equatable, Sendable {
        public var path: String
        /// argv, argv[0] included; empty means just `path` (Go's exec.Cmd).
        public var args: [String]
        /// nil (absent in config.json): the runtime's own environment, as runc's hooks get it.
        public var env: [String]?
        /// Seconds; always > 0 when present.
        public var timeout: Int64?

        public init(path: String, args: [String] = [], env: [String]? = nil, timeout: Int64? = nil) {
            self.path = path
            self.args = args
            self.env = env
            self.timeout = timeout
        }
    }

    /// The hooks of config.json, by the point of the lifecycle they run at (Hooks.swift).
    public struct Hooks: Equatable, Sendable {
        public var prestart: [Hook] = []
        public var createRuntime: [Hook] = []
        public var createContainer: [Hook] = []
        public var startContainer: [Hook] = []
        public var poststart: [Hook] = []
        public var poststop: [Hook] = []

        public init() {}

        /// Each point by its config.json name, in lifecycle order.
        public var byPoint: [(String, [Hook])] {
            [("prestart", prestart), ("createRuntime", createRuntime), ("createContainer", createContainer),
             ("startContainer", startContainer), ("poststart", poststart), ("poststop", poststop)]
        }

        /// Sets the hooks of the point named `point`; false for an unknown name.
        mutating func set(_ point: String, _ hooks: [Hook]) -> Bool {
            switch point {
            case "prestart": prestart = hooks
            case "createRuntime": createRuntime = hooks
            case "createContainer": createContainer = hooks
            case "startContainer": startContainer = hooks
            case "poststart": poststart = hooks
            case "poststop": poststop = hooks
            default: return false
            }
            return true
        }

        public var isEmpty: Bool {
            prestart.isEmpty && createRuntime.isEmpty && createContainer.isEmpty
                && startContainer.isEmpty && poststart.isEmpty && poststop.isEmpty
        }
    }

    /// linux: what the monitor process is placed in.
    public struct Linux: Equatable, Sendable {
        public var namespaces: [Namespace] = []
        /// linux.cgroupsPath as given: a path ("/a/b", "a/b") or, with --systemd-cgroup,
        /// "slice:prefix:name". nil or empty: the runtime's default (CgroupPath).
        public var cgroupsPath: String?
        public var resources = Resources()

        public init() {}
    }

    public struct Namespace: Equatable, Sendable {
        public enum Kind: String, Equatable, Sendable, CaseIterable {
            case pid, network, mount, ipc, uts, user, cgroup, time
        }

        public var kind: Kind
        /// A namespace file to join (`/proc/<pid>/ns/net`, `/run/netns/x`); nil: a new one.
        public var path: String?

        public init(kind: Kind, path: String? = nil) {
            self.kind = kind
            self.path = path
        }
    }

    /// linux.resources, the limits mewz-runtime applies to the monitor's cgroup.
    public struct Resources: Equatable, Sendable {
        /// memory.limit, .reservation, .swap in bytes; -1 means unlimited (as runc).
        public var memoryLimit: Int64?
        public var memoryReservation: Int64?
        public var memorySwap: Int64?
        /// pids.limit; 0 or -1 means unlimited.
        public var pidsLimit: Int64?
        public var cpuShares: UInt64?
        public var cpuQuota: Int64?
        public var cpuPeriod: UInt64?
        public var cpusetCPUs: String?
        public var cpusetMems: String?

        public init() {}
    }
}
