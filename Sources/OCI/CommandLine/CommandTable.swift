/// Every command and flag the CLI accepts, with the help text generated from this table (so
/// `--help` cannot drift from the parser).
struct OptionSpec {
    /// Canonical name first ("bundle"), then aliases ("b").
    let names: [String]
    /// nil for a boolean flag.
    let valueName: String?
    let help: String

    var key: String { names[0] }

    func matches(_ name: String) -> Bool { names.contains(name) }
}

struct CommandSpec {
    let name: String
    let arguments: String
    let summary: String
    let description: String
    let options: [OptionSpec]
}

enum CommandTable {
    static let program = "mewz-runtime"
    static let summary = "run WebAssembly (WASI preview1) containers as KVM unikernels"

    static let globalOptions: [OptionSpec] = [
        OptionSpec(names: ["root"], valueName: "DIR",
                   help: "root directory for storage of container state (default: \"\(GlobalOptions.defaultRoot)\")"),
        OptionSpec(names: ["log"], valueName: "FILE",
                   help: "also append error lines (and, with --debug, debug lines instead of stderr) to FILE"),
        OptionSpec(names: ["log-format"], valueName: "text|json", help: "format of the lines in --log (default: text)"),
        OptionSpec(names: ["debug"], valueName: nil, help: "log debug messages"),
        OptionSpec(names: ["systemd-cgroup"], valueName: nil, help: "accepted for compatibility; cgroups are not managed yet"),
        OptionSpec(names: ["rootless"], valueName: "true|false|auto",
                   help: "accepted for compatibility; mewz-runtime needs root (/dev/kvm)"),
        OptionSpec(names: ["help", "h"], valueName: nil, help: "show help"),
        OptionSpec(names: ["version", "v"], valueName: nil, help: "print the version"),
    ]

    static let bundle = OptionSpec(names: ["bundle", "b"], valueName: "DIR",
                                   help: "path to the root of the bundle directory (default: the current directory)")
    static let pidFile = OptionSpec(names: ["pid-file"], valueName: "FILE",
                                    help: "write the container process's pid to FILE (atomically, no newline)")
    static let consoleSocket = OptionSpec(
        names: ["console-socket"], valueName: "PATH",
        help: "unix socket to receive the pty master on; refused: terminals are not supported yet")
    static let noPivot = OptionSpec(names: ["no-pivot"], valueName: nil, help: "accepted; no pivot_root is done")
    static let noNewKeyring = OptionSpec(names: ["no-new-keyring"], valueName: nil,
                                         help: "accepted; no session keyring is created")
    static let preserveFDs = OptionSpec(names: ["preserve-fds"], valueName: "N",
                                        help: "keep fds 3 .. 3+N-1 open in the container process (default: 0)")
    static let help = OptionSpec(names: ["help", "h"], valueName: nil, help: "show help")

    static let commands: [CommandSpec] = [
        CommandSpec(
            name: "create", arguments: "<container-id>", summary: "create a container",
            description: """
                Reads <bundle>/config.json, finds the WebAssembly module named by process.args[0] inside
                root.path, builds (or reuses from the cache) its image, and starts the container
                process, which sets up the VM and waits. The module runs only after `start`.
                """,
            options: [bundle, pidFile, consoleSocket, noPivot, noNewKeyring, preserveFDs, help]),
        CommandSpec(
            name: "run", arguments: "<container-id>", summary: "create and start a container",
            description: """
                create followed by start. Without --detach, waits for the container process, removes
                the container, and exits with its status (or is killed by the same signal); SIGTERM,
                SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 received meanwhile are passed on to it.
                """,
            options: [bundle, pidFile, consoleSocket,
                      OptionSpec(names: ["detach", "d"], valueName: nil, help: "do not wait for the container to exit"),
                      noPivot, noNewKeyring, preserveFDs, help]),
        CommandSpec(
            name: "start", arguments: "<container-id>", summary: "start a created container",
            description: "Lets the container process of a created container run its module.",
            options: [help]),
        CommandSpec(
            name: "state", arguments: "<container-id>", summary: "print the state of a container",
            description: "Prints the container's state as JSON, as runc does.",
            options: [help]),
        CommandSpec(
            name: "kill", arguments: "<container-id> [SIGNAL]", summary: "send a signal to a container",
            description: """
                SIGNAL is a number or a name with or without SIG, in any case (default: TERM).
                Fails with "container not running" when the container has stopped, unless --all.
                """,
            options: [OptionSpec(names: ["all", "a"], valueName: nil,
                                 help: "signal every process of the container; no error if it has stopped"),
                      help]),
        CommandSpec(
            name: "delete", arguments: "<container-id>", summary: "delete a container",
            description: """
                Removes a stopped container. A created container is killed first; a running one only
                with --force.
                """,
            options: [OptionSpec(names: ["force", "f"], valueName: nil,
                                 help: "kill a running container (SIGKILL) first; succeed if it does not exist"),
                      help]),
    ]

    static func command(named name: String) -> CommandSpec? {
        commands.first { $0.name == name }
    }
}
