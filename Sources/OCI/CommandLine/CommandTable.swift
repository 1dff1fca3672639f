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
    /// Why the command is refused, for a command mewz-runtime parses but cannot perform.
    var unsupportedReason: String? = nil
    /// `--help` fails too: podman takes `checkpoint --help` succeeding as "checkpoint works".
    var helpRefused = false
    /// runc's flags of a refused command that take a value, to find its container id (which
    /// may belong to the fallback runtime, which does support it).
    var valueFlags: Set<String> = []
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
        OptionSpec(names: ["cache-dir"], valueName: "DIR",
                   help: "image cache directory (default: $MEWZ_CACHE_DIR, else /var/cache/mewz-runtime for root, else $XDG_CACHE_HOME/mewz-runtime)"),
        OptionSpec(names: ["systemd-cgroup"], valueName: nil,
                   help: "linux.cgroupsPath is \"slice:prefix:name\" (made as systemd names it, without D-Bus)"),
        OptionSpec(names: ["fallback-runtime"], valueName: "PATH",
                   help: "hand bundles without Wasm (and pod sandboxes) to this runc-compatible runtime "
                       + "(also $MEWZ_FALLBACK_RUNTIME, or fallback-runtime in /etc/mewz-runtime/config)"),
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
        help: "AF_UNIX socket that receives the pty master (SCM_RIGHTS) when process.terminal is true")
    static let noPivot = OptionSpec(names: ["no-pivot"], valueName: nil, help: "accepted; no pivot_root is done")
    static let noNewKeyring = OptionSpec(names: ["no-new-keyring"], valueName: nil,
                                         help: "accepted; no session keyring is created")
    static let preserveFDs = OptionSpec(names: ["preserve-fds"], valueName: "N",
                                        help: "keep fds 3 .. 3+N-1 open in the container process (default: 0)")
    static let help = OptionSpec(names: ["help", "h"], valueName: nil, help: "show help")
    static let format = OptionSpec(names: ["format", "f"], valueName: "table|json",
                                   help: "output format (default: table)")

    /// A command refused with one line: it parses any arguments, which are never used.
    static func unsupported(_ name: String, _ summary: String, reason: String, helpRefused: Bool = false,
                            valueFlags: Set<String>) -> CommandSpec {
        CommandSpec(name: name, arguments: "[arguments...] <container-id>", summary: summary,
                    description: """
                        Not supported: \(reason). Fails with one line and exit status 1, except for a
                        container that was handed to the fallback runtime, which runs the command.
                        """,
                    options: [help], unsupportedReason: reason, helpRefused: helpRefused, valueFlags: valueFlags)
    }

    static let commands: [CommandSpec] = [
        CommandSpec(
            name: "create", arguments: "<container-id>", summary: "create a container",
            description: """
                Reads <bundle>/config.json, finds the WebAssembly module named by process.args[0] inside
                root.path, and starts the container process, which sets up the VM and waits. The module
                runs only after `start`. The image is <bundle>/mewz.img when `mewz-runtime build` wrote
                one for this module and root; else the compiled module and the root's read-only
                filesystem come from the image cache, built on a miss.
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
        CommandSpec(
            name: "list", arguments: "", summary: "list the containers under --root",
            description: """
                Lists every container under --root as a table (ID PID STATUS BUNDLE CREATED OWNER)
                or, with --format json, as a JSON array of state objects (null when there is none).
                """,
            options: [format, OptionSpec(names: ["quiet", "q"], valueName: nil, help: "print only the container ids"),
                      help]),
        CommandSpec(
            name: "ps", arguments: "<container-id> [ps options]", summary: "list the processes of a container",
            description: """
                A unikernel container has one process, the container process (its VM monitor): its pid
                while the container is created or running, none once it has stopped. --format json
                prints a JSON array of pids.
                """,
            options: [format, help]),
        CommandSpec(
            name: "features", arguments: "", summary: "print the features this runtime supports",
            description: "Prints the runtime-spec features document (features.md) as JSON.",
            options: [help]),
        CommandSpec(
            name: "spec", arguments: "", summary: "write a sample config.json for a WebAssembly bundle",
            description: """
                Writes config.json into the bundle directory, running /app.wasm from rootfs/. Refuses
                to replace an existing config.json.
                """,
            options: [bundle, OptionSpec(names: ["rootless"], valueName: nil, help: "accepted; the sample is the same"),
                      help]),
        BuildCommandSpec.build,
        BuildCommandSpec.cache,
        CommandSpec(
            name: "pause", arguments: "<container-id>", summary: "pause a container",
            description: """
                Freezes the container's cgroup (cgroup v1 freezer, or v2 cgroup.freeze): the VM's
                vCPU stops where it is until `resume`. Fails with "container not running" once it
                has stopped.
                """,
            options: [help]),
        CommandSpec(
            name: "resume", arguments: "<container-id>", summary: "resume a paused container",
            description: "Thaws the container's cgroup. Fails with \"container not paused\" unless it is paused.",
            options: [help]),
        CommandSpec(
            name: "events", arguments: "<container-id>", summary: "print a container's statistics and OOM events",
            description: """
                Prints one JSON object per line, as runc: {"type":"stats","id":…,"data":…} every
                --interval, and {"type":"oom","id":…} when the kernel kills the container for
                memory, until the container stops. The data is what the monitor's cgroup measures
                (CPU time; memory charged, which is the guest RAM and linear memory the guest
                touched plus the monitor itself; pids); block I/O and hugetlb stay empty.
                """,
            options: [OptionSpec(names: ["interval"], valueName: "DURATION",
                                 help: "time between stats events, a Go duration (default: 5s)"),
                      OptionSpec(names: ["stats"], valueName: nil, help: "print one stats event and exit"),
                      help]),
        unsupported("exec", "run a process in a container", reason: "a unikernel runs exactly one process",
                    valueFlags: ["console-socket", "pidfd-socket", "cwd", "env", "e", "user", "u", "additional-gids",
                                 "g", "process", "p", "process-label", "apparmor", "cap", "c", "preserve-fds",
                                 "cgroup", "pid-file"]),
        unsupported("checkpoint", "checkpoint a container",
                    reason: "a unikernel VM cannot be checkpointed", helpRefused: true,
                    valueFlags: ["image-path", "work-path", "parent-path", "page-server", "manage-cgroups-mode",
                                 "empty-ns", "status-fd", "lsm-profile", "lsm-mount-context"]),
        unsupported("restore", "restore a checkpointed container",
                    reason: "a unikernel VM cannot be checkpointed", helpRefused: true,
                    valueFlags: ["console-socket", "image-path", "work-path", "manage-cgroups-mode", "bundle", "b",
                                 "pid-file", "empty-ns", "lsm-profile", "lsm-mount-context", "status-fd"]),
        CommandSpec(
            name: "update", arguments: "<container-id>", summary: "update a container's resource limits",
            description: """
                Writes new limits into the container's cgroup, as runc: CPU shares, quota and
                period, cpuset CPUs and memory nodes, the pids limit, the memory reservation and
                swap. With --resources the limits are read from a linux.resources JSON object (a
                file, or "-" for standard input) and the other flags are ignored; fields
                mewz-runtime does not apply at create (blockIO, hugepageLimits, unified, realtime)
                are ignored here too. The memory limit cannot change: the VM's memory is sized from
                it at create, so a different limit fails with one line (the same value, which
                Kubernetes sends with every resize, is accepted). A stopped container gives
                "container not running". Memory sizes take units: 512m, 1g; -1 is unlimited.
                """,
            options: [OptionSpec(names: ["resources", "r"], valueName: "FILE",
                                 help: "a linux.resources JSON object to apply, or - for standard input"),
                      OptionSpec(names: ["cpu-period"], valueName: "US", help: "CPU CFS period, in microseconds"),
                      OptionSpec(names: ["cpu-quota"], valueName: "US",
                                 help: "CPU CFS quota, in microseconds per period (-1: none)"),
                      OptionSpec(names: ["cpu-share"], valueName: "N", help: "CPU shares (relative weight)"),
                      OptionSpec(names: ["cpuset-cpus"], valueName: "LIST", help: "CPUs to run on (0-3, 0,1)"),
                      OptionSpec(names: ["cpuset-mems"], valueName: "LIST", help: "memory nodes to allocate from"),
                      OptionSpec(names: ["memory"], valueName: "SIZE",
                                 help: "memory limit: accepted only when it is the container's current one"),
                      OptionSpec(names: ["memory-reservation"], valueName: "SIZE", help: "memory soft limit"),
                      OptionSpec(names: ["memory-swap"], valueName: "SIZE",
                                 help: "memory plus swap limit (-1: unlimited swap)"),
                      OptionSpec(names: ["pids-limit"], valueName: "N", help: "maximum number of tasks (-1: none)"),
                      help] + CommandTable.runcOnlyUpdateFlags.map {
                          OptionSpec(names: [$0], valueName: "VALUE", help: "runc's; refused for a Wasm container")
                      }),
    ]

    /// runc's update flags for limits mewz-runtime does not apply: parsed, so that a container
    /// of the fallback runtime still gets them, and refused for a Wasm container.
    static let runcOnlyUpdateFlags = ["blkio-weight", "cpu-rt-period", "cpu-rt-runtime", "cpu-idle", "cpu-burst",
                                      "kernel-memory", "kernel-memory-tcp", "l3-cache-schema", "mem-bw-schema"]

    static func command(named name: String) -> CommandSpec? {
        commands.first { $0.name == name }
    }
}
