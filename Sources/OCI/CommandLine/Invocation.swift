/// A parsed command line: what the CLI dispatches on.
public enum Invocation: Equatable, Sendable {
    case command(GlobalOptions, Command)
    /// Print this text on stdout and exit 0 (`--help`, `help`, `COMMAND --help`, no command).
    case help(String)
    case version
}

public enum LogFormat: String, Equatable, Sendable {
    case text, json
}

/// Flags that come before the command, as runc's.
public struct GlobalOptions: Equatable, Sendable {
    public static let defaultRoot = "/run/mewz-runtime"

    public var root = GlobalOptions.defaultRoot
    public var logPath: String?
    public var logFormat = LogFormat.text
    public var debug = false
    /// linux.cgroupsPath is "slice:prefix:name" (CgroupPath).
    public var systemdCgroup = false
    /// --fallback-runtime: where bundles without Wasm go (FallbackRuntime).
    public var fallbackRuntime: String?
    /// Accepted for compatibility ("true", "false" or "auto"); mewz-runtime runs as root only.
    public var rootless: String?
    /// --cache-dir: where images are cached (default: MEWZ_CACHE_DIR, else BuildConfiguration's).
    public var cacheDirectory: String?

    public init() {}
}

public enum Command: Equatable, Sendable {
    case create(CreateOptions)
    case run(RunOptions)
    case start(id: String)
    case state(id: String)
    case kill(KillOptions)
    case delete(DeleteOptions)
    case list(ListOptions)
    case ps(PsOptions)
    case features
    /// `spec`: the bundle directory to write config.json into (nil: the current directory).
    case spec(bundle: String?)
    case build(BuildOptions)
    case cache(CacheOptions)
    case pause(id: String)
    case resume(id: String)
    case events(EventsOptions)
    case update(UpdateOptions)
    /// A command mewz-runtime refuses (exec, checkpoint, restore), unless `id` is a container
    /// of the fallback runtime.
    case unsupported(name: String, reason: String, id: String?)
}

public struct EventsOptions: Equatable, Sendable {
    public var id: String
    public var stats = false
    public var intervalMilliseconds = 5000

    public init(id: String) {
        self.id = id
    }
}

/// `update`: where the new limits come from, as runc takes them: a JSON document (a file, or
/// standard input for "-"), else the individual flags.
public struct UpdateOptions: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        case file(String)
        case standardInput
        case flags(Spec.Resources)
    }

    public var id: String
    public var source: Source
    /// runc's flags for limits mewz-runtime does not apply, as given (refused for a Wasm
    /// container; a container of the fallback runtime gets the command as it came).
    public var runcOnlyFlags: [String] = []

    public init(id: String, source: Source) {
        self.id = id
        self.source = source
    }
}

public enum OutputFormat: String, Equatable, Sendable {
    case table, json
}

public struct ListOptions: Equatable, Sendable {
    public var format = OutputFormat.table
    public var quiet = false

    public init() {}
}

public struct PsOptions: Equatable, Sendable {
    public var id: String
    public var format = OutputFormat.table

    public init(id: String) {
        self.id = id
    }
}

public struct CreateOptions: Equatable, Sendable {
    public var id: String
    /// nil: the current directory.
    public var bundle: String?
    public var pidFile: String?
    public var consoleSocket: String?
    /// Accepted: there is no pivot_root to skip.
    public var noPivot = false
    /// Accepted: there is no session keyring to skip.
    public var noNewKeyring = false
    /// fds 3 ..< 3+N stay open in the container process.
    public var preserveFDs: Int32 = 0

    public init(id: String) {
        self.id = id
    }
}

public struct RunOptions: Equatable, Sendable {
    public var create: CreateOptions
    public var detach = false

    public init(create: CreateOptions) {
        self.create = create
    }
}

public struct KillOptions: Equatable, Sendable {
    public var id: String
    public var signal: Int32
    public var all = false

    public init(id: String, signal: Int32) {
        self.id = id
        self.signal = signal
    }
}

public struct DeleteOptions: Equatable, Sendable {
    public var id: String
    public var force = false

    public init(id: String) {
        self.id = id
    }
}
