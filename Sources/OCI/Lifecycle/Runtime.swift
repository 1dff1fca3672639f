/// The lifecycle operations over one state root. One method per command, each in its own file.
public struct Runtime {
    /// Absolute, cleaned.
    public let root: String
    public let log: RuntimeLog
    /// --cache-dir: overrides MEWZ_CACHE_DIR and the default image cache.
    public let cacheDirectory: String?

    public init(options: GlobalOptions) throws(OCIError) {
        let root = PathName.absolute(options.root, from: try PathName.currentDirectory())
        guard root != "/" else { throw .usage("option --root argument should not be set to /") }
        self.root = root
        self.log = RuntimeLog(options)
        self.cacheDirectory = options.cacheDirectory
    }

    func directory(_ id: String) throws(OCIError) -> ContainerDirectory {
        try ContainerDirectory(root: root, id: id)
    }
}
