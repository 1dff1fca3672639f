/// `build` and `cache`: their entries in the command table, their options and how their
/// arguments are checked (the parser's dispatch calls in here).
public struct BuildOptions: Equatable, Sendable {
    /// Bundle mode: the bundle (nil: the current directory) whose module and rootfs are packed.
    public var bundle: String?
    /// Module mode: a .wasm file on the host, with `directory` as the ROFS root.
    public var module: String?
    public var directory: String?
    /// nil: <bundle>/mewz.img (bundle mode only).
    public var output: String?

    public init() {}
}

public struct CacheOptions: Equatable, Sendable {
    public enum Action: String, Equatable, Sendable {
        case list, prune, verify
    }

    public var action: Action
    /// prune: every entry, not only those no lookup can hit.
    public var all = false

    public init(action: Action) {
        self.action = action
    }
}

enum BuildCommandSpec {
    static let build = CommandSpec(
        name: "build", arguments: "[MODULE.wasm]", summary: "build an image ahead of time",
        description: """
            Without MODULE: compiles the module process.args[0] names in the bundle's root (found
            as create finds it) and packs the root as the read-only filesystem, into one image,
            by default <bundle>/\(Runtime.bundleImageName). create maps that image instead of building
            for as long as the module and the root are unchanged; after a change (a file edited,
            added or removed, a mode) it builds through the cache again, saying why on an
            interactive stderr and in the --debug log.
            With MODULE: compiles that .wasm file and packs the directory --dir (none: an empty
            filesystem) into the image -o names.
            Symlinks are stored as they are; device nodes, fifos and sockets are skipped with a
            warning. The compiled module is cached as create caches it. Progress goes to stderr.
            """,
        options: [
            CommandTable.bundle,
            OptionSpec(names: ["output", "o"], valueName: "IMAGE",
                       help: "write the image to IMAGE (default: <bundle>/\(Runtime.bundleImageName); required with MODULE)"),
            OptionSpec(names: ["dir"], valueName: "DIR", help: "with MODULE: the directory that becomes the read-only filesystem"),
            CommandTable.help,
        ])

    static let cache = CommandSpec(
        name: "cache", arguments: "list | prune [--all] | verify", summary: "list, prune or verify the image cache",
        description: """
            The cache (--cache-dir, else $MEWZ_CACHE_DIR, else /var/cache/mewz-runtime for root, else
            $XDG_CACHE_HOME/mewz-runtime) holds compiled modules (images/, by a key of the module,
            the compiler, the guest library and the flags) and rootfs filesystems (rofs/, by a key of
            the rootfs's file metadata). A create that finds an entry only checks its header.
              list     one line per entry: kind, key, size, when written, when last used
              prune    removes entries no create can use again (damaged ones, compiled ones of another
                       guest library or runtime version, filesystems unused for 7 days) and what
                       interrupted builds left; with --all, every entry. Entries being built are kept.
              verify   reads every entry in full (content digest, the whole filesystem), removes the
                       damaged ones and exits 1 if there was one.
            """,
        options: [
            OptionSpec(names: ["all", "a"], valueName: nil, help: "prune: remove every entry"),
            CommandTable.help,
        ])

    static func buildOptions(_ arguments: [String], _ values: [String: String]) throws(OCIError) -> BuildOptions {
        guard arguments.count <= 1 else { throw .usage("\"build\" takes at most one module") }
        var options = BuildOptions()
        options.bundle = values["bundle"].flatMap { $0.isEmpty ? nil : $0 }
        options.output = values["output"].flatMap { $0.isEmpty ? nil : $0 }
        options.directory = values["dir"].flatMap { $0.isEmpty ? nil : $0 }
        options.module = arguments.first
        if options.module != nil {
            guard options.bundle == nil else { throw .usage("\"build\" takes a module or --bundle, not both") }
            guard options.output != nil else { throw .usage("\"build MODULE\" needs -o IMAGE") }
        } else if options.directory != nil {
            throw .usage("--dir goes with a module (\"build MODULE --dir DIR -o IMAGE\"); a bundle packs its root")
        }
        return options
    }

    static func cacheOptions(_ arguments: [String], _ values: [String: String]) throws(OCIError) -> CacheOptions {
        guard arguments.count == 1, let action = CacheOptions.Action(rawValue: arguments[0]) else {
            throw .usage("\"cache\" requires one of list, prune or verify")
        }
        var options = CacheOptions(action: action)
        options.all = values["all"] == "true"
        guard !options.all || action == .prune else { throw .usage("--all goes with \"cache prune\"") }
        return options
    }
}
