/// The lifecycle operations over one state root. One method per command, each in its own file.
public struct Runtime {
    /// Absolute, cleaned.
    public let root: String
    public let log: RuntimeLog
    /// --cache-dir: overrides MEWZ_CACHE_DIR and the default image cache.
    public let cacheDirectory: String?
    public let options: GlobalOptions
    /// This invocation's argv without argv[0]: handed unchanged to the fallback runtime.
    public let arguments: [String]

    public init(options: GlobalOptions, arguments: [String] = []) throws(OCIError) {
        // No getcwd for an absolute root: the shim's cleanup runs `delete --force` from a
        // bundle directory it has already removed.
        let root = options.root.hasPrefix("/")
            ? PathName.clean(options.root) : PathName.absolute(options.root, from: try PathName.currentDirectory())
        guard root != "/" else { throw .usage("option --root argument should not be set to /") }
        self.root = root
        self.log = RuntimeLog(options)
        self.cacheDirectory = options.cacheDirectory
        self.options = options
        self.arguments = arguments
    }

    func directory(_ id: String) throws(OCIError) -> ContainerDirectory {
        try ContainerDirectory(root: root, id: id)
    }

    /// The directory of a container this command acts on; an id handed to runc at create
    /// (its state.json, no mewz-state.json) goes back to runc with this very command.
    func claimedDirectory(_ id: String) throws(OCIError) -> ContainerDirectory {
        let directory = try directory(id)
        if !FileIO.exists(directory.statePath) && FileIO.exists(directory.runcStatePath) {
            throw handOff(reason: "container \(id) belongs to the fallback runtime")
        }
        return directory
    }

    /// exec, checkpoint, restore, update: refused, except for a fallback runtime's container.
    public func unsupported(_ command: String, reason: String, id: String?) throws(OCIError) {
        if let id { _ = try claimedDirectory(id) }
        throw .commandUnsupported(command, reason: reason)
    }

    /// The configured fallback runtime, if any.
    func fallbackRuntime() throws(OCIError) -> String? {
        try FallbackRuntime.configured(flag: options.fallbackRuntime, environment: ProcessControl.environment)
    }

    /// Replaces this process with the fallback runtime (or runc) running this same command;
    /// returns only the error of a failed exec.
    func handOff(reason: String) -> OCIError {
        let runtime: String
        do {
            runtime = try fallbackRuntime() ?? "runc"
        } catch {
            return error
        }
        log.debug("handing to \(runtime): \(reason)")
        return FallbackRuntime.exec(runtime, arguments: FallbackRuntime.arguments(arguments, root: root))
    }
}
