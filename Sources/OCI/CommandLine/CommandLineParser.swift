/// argv (without argv[0]) to an Invocation. Pure: no file system, no environment.
public enum CommandLineParser {
    public static func parse(_ arguments: [String]) throws(OCIError) -> Invocation {
        let (globalFlags, rest) = try FlagParser(options: CommandTable.globalOptions, stopAtPositional: true)
            .parse(arguments[...])
        let globals = try globalOptions(from: globalFlags.values)
        if globalFlags.values["version"] == "true" { return .version }
        guard let name = rest.first else { return .help(HelpText.main) }
        if globalFlags.helpRequested { return .help(HelpText.main) }
        if name == "help" {
            guard let topic = rest.dropFirst().first else { return .help(HelpText.main) }
            guard let command = CommandTable.command(named: topic) else {
                throw .usage("no help topic for '\(topic)'")
            }
            return .help(HelpText.forCommand(command))
        }
        guard let spec = CommandTable.command(named: name) else {
            throw .usage("unknown command \"\(name)\" (see '\(CommandTable.program) --help')")
        }
        if let reason = spec.unsupportedReason {
            // Any arguments are accepted and only used to find the id; only a plain --help may succeed.
            let wantsHelp = rest.dropFirst().contains { ["-h", "--help", "-help", "--h"].contains($0) }
            if wantsHelp {
                guard !spec.helpRefused else { throw .commandUnsupported(spec.name, reason: reason) }
                return .help(HelpText.forCommand(spec))
            }
            return .command(globals, .unsupported(name: spec.name, reason: reason,
                                                  id: containerID(in: rest.dropFirst(), valueFlags: spec.valueFlags)))
        }
        let (flags, _) = try FlagParser(options: spec.options, stopAtPositional: false).parse(rest.dropFirst())
        if flags.helpRequested { return .help(HelpText.forCommand(spec)) }
        return .command(globals, try command(spec, flags))
    }

    /// The global options of a command line that failed to parse, for logging the error where
    /// the caller (podman's --log) looks for it. Unparseable values are left at their defaults.
    public static func bestEffortGlobalOptions(_ arguments: [String]) -> GlobalOptions {
        var globals = GlobalOptions()
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-") {
            let token = arguments[index].hasPrefix("--") ? arguments[index].dropFirst(2) : arguments[index].dropFirst()
            let parts = token.split(separator: "=", maxSplits: 1).map(String.init)
            var value = parts.count == 2 ? parts[1] : nil
            if value == nil, ["root", "log", "log-format", "rootless", "cache-dir"].contains(parts.first ?? ""),
               index + 1 < arguments.count {
                index += 1
                value = arguments[index]
            }
            switch parts.first {
            case "log": globals.logPath = value
            case "log-format": globals.logFormat = value.flatMap(LogFormat.init(rawValue:)) ?? .text
            case "debug": globals.debug = true
            default: break
            }
            index += 1
        }
        return globals
    }

    private static func globalOptions(from values: [String: String]) throws(OCIError) -> GlobalOptions {
        var globals = GlobalOptions()
        if let root = values["root"] {
            guard !root.isEmpty else { throw .usage("--root must not be empty") }
            globals.root = root
        }
        if let log = values["log"], !log.isEmpty { globals.logPath = log }
        if let cache = values["cache-dir"] {
            guard !cache.isEmpty else { throw .usage("--cache-dir must not be empty") }
            globals.cacheDirectory = cache
        }
        if let format = values["log-format"] {
            guard let parsed = LogFormat(rawValue: format) else { throw .usage("unknown log-format \"\(format)\"") }
            globals.logFormat = parsed
        }
        globals.debug = values["debug"] == "true"
        globals.systemdCgroup = values["systemd-cgroup"] == "true"
        globals.fallbackRuntime = values["fallback-runtime"]
        if let rootless = values["rootless"] {
            guard ["true", "false", "auto"].contains(rootless) else {
                throw .usage("invalid --rootless value \"\(rootless)\" (want true, false or auto)")
            }
            globals.rootless = rootless
        }
        return globals
    }

    private static func command(_ spec: CommandSpec, _ flags: FlagParser.Result) throws(OCIError) -> Command {
        let arguments = flags.positionals
        func exactlyOne() throws(OCIError) -> String {
            guard arguments.count == 1 else {
                throw .usage("\"\(spec.name)\" requires exactly 1 argument(s)")
            }
            try ContainerID.validate(arguments[0])
            return arguments[0]
        }
        func flag(_ key: String) -> Bool { flags.values[key] == "true" }

        switch spec.name {
        case "create":
            return .create(try createOptions(id: try exactlyOne(), flags: flags))
        case "run":
            var options = RunOptions(create: try createOptions(id: try exactlyOne(), flags: flags))
            options.detach = flag("detach")
            return .run(options)
        case "start":
            return .start(id: try exactlyOne())
        case "state":
            return .state(id: try exactlyOne())
        case "kill":
            guard (1...2).contains(arguments.count) else {
                throw .usage("\"kill\" requires a minimum of 1 and a maximum of 2 arguments")
            }
            try ContainerID.validate(arguments[0])
            var options = KillOptions(id: arguments[0], signal: try SignalName.parse(arguments.count == 2 ? arguments[1] : "TERM"))
            options.all = flag("all")
            return .kill(options)
        case "list":
            guard arguments.isEmpty else { throw .usage("\"list\" requires exactly 0 argument(s)") }
            var options = ListOptions()
            options.format = try outputFormat(flags)
            options.quiet = flag("quiet")
            return .list(options)
        case "ps":
            // Arguments after the id are ps(1) options for runc's table; a unikernel ignores them.
            guard let id = arguments.first else { throw .usage("\"ps\" requires a minimum of 1 argument(s)") }
            try ContainerID.validate(id)
            var options = PsOptions(id: id)
            options.format = try outputFormat(flags)
            return .ps(options)
        case "features":
            guard arguments.isEmpty else { throw .usage("\"features\" requires exactly 0 argument(s)") }
            return .features
        case "pause":
            return .pause(id: try exactlyOne())
        case "resume":
            return .resume(id: try exactlyOne())
        case "events":
            var options = EventsOptions(id: try exactlyOne())
            options.stats = flag("stats")
            if let text = flags.values["interval"] {
                guard let milliseconds = GoDuration.milliseconds(text), milliseconds > 0 else {
                    throw .usage("invalid value \"\(text)\" for flag -interval: parse error")
                }
                options.intervalMilliseconds = milliseconds
            }
            return .events(options)
        case "update":
            var options = UpdateOptions(id: try exactlyOne(), source: try updateSource(flags.values))
            options.runcOnlyFlags = CommandTable.runcOnlyUpdateFlags.filter { flags.values[$0] != nil }
            return .update(options)
        case "spec":
            guard arguments.isEmpty else { throw .usage("\"spec\" requires exactly 0 argument(s)") }
            return .spec(bundle: flags.values["bundle"].flatMap { $0.isEmpty ? nil : $0 })
        case "build":
            return .build(try BuildCommandSpec.buildOptions(arguments, flags.values))
        case "cache":
            return .cache(try BuildCommandSpec.cacheOptions(arguments, flags.values))
        default:  // "delete": the table has no other supported command
            var options = DeleteOptions(id: try exactlyOne())
            options.force = flag("force")
            return .delete(options)
        }
    }

    /// The first positional argument, skipping flags and the values of `valueFlags`.
    static func containerID(in arguments: ArraySlice<String>, valueFlags: Set<String>) -> String? {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let token = arguments[index]
            index += 1
            if token == "--" { return index < arguments.endIndex ? arguments[index] : nil }
            guard token.hasPrefix("-"), token != "-" else { return ContainerID.isValid(token) ? token : nil }
            let body = token.drop { $0 == "-" }
            if !body.contains("="), valueFlags.contains(String(body)) { index += 1 }
        }
        return nil
    }

    /// runc's: with --resources the flags are ignored; a flag left empty changes nothing.
    /// Memory sizes take docker's units ("512m", "1g"); "-1" is unlimited.
    private static func updateSource(_ values: [String: String]) throws(OCIError) -> UpdateOptions.Source {
        if let path = values["resources"], !path.isEmpty {
            return path == "-" ? .standardInput : .file(path)
        }
        var resources = Spec.Resources()
        func value(_ flag: String) -> String? { values[flag].flatMap { $0.isEmpty ? nil : $0 } }
        func invalid(_ flag: String, _ text: String) -> OCIError {
            .usage("invalid value \"\(text)\" for --\(flag)")
        }
        func unsigned(_ flag: String) throws(OCIError) -> UInt64? {
            guard let text = value(flag) else { return nil }
            guard let number = UInt64(text) else { throw invalid(flag, text) }
            return number
        }
        func signed(_ flag: String) throws(OCIError) -> Int64? {
            guard let text = value(flag) else { return nil }
            guard let number = Int64(text) else { throw invalid(flag, text) }
            return number
        }
        func bytes(_ flag: String) throws(OCIError) -> Int64? {
            guard let text = value(flag) else { return nil }
            guard let number = MemorySize.bytes(text) else { throw invalid(flag, text) }
            return number
        }
        resources.cpuPeriod = try unsigned("cpu-period")
        resources.cpuShares = try unsigned("cpu-share")
        resources.cpuQuota = try signed("cpu-quota")
        resources.cpusetCPUs = value("cpuset-cpus")
        resources.cpusetMems = value("cpuset-mems")
        resources.memoryLimit = try bytes("memory")
        resources.memoryReservation = try bytes("memory-reservation")
        resources.memorySwap = try bytes("memory-swap")
        resources.pidsLimit = try signed("pids-limit")
        return .flags(resources)
    }

    private static func outputFormat(_ flags: FlagParser.Result) throws(OCIError) -> OutputFormat {
        guard let text = flags.values["format"] else { return .table }
        guard let format = OutputFormat(rawValue: text) else { throw .usage("invalid format option") }
        return format
    }

    private static func createOptions(id: String, flags: FlagParser.Result) throws(OCIError) -> CreateOptions {
        var options = CreateOptions(id: id)
        options.bundle = flags.values["bundle"].flatMap { $0.isEmpty ? nil : $0 }
        options.pidFile = flags.values["pid-file"].flatMap { $0.isEmpty ? nil : $0 }
        options.consoleSocket = flags.values["console-socket"].flatMap { $0.isEmpty ? nil : $0 }
        options.noPivot = flags.values["no-pivot"] == "true"
        options.noNewKeyring = flags.values["no-new-keyring"] == "true"
        if let text = flags.values["preserve-fds"] {
            guard let count = Int32(text), count >= 0, count <= 65_536 else {
                throw .usage("invalid value \"\(text)\" for flag -preserve-fds: parse error")
            }
            options.preserveFDs = count
        }
        return options
    }
}
