import Testing
@testable import OCI

/// argv lines exactly as the callers in oci-contract.md §2 send them.
@Suite struct CommandLineParserTests {
    private func command(_ line: String) throws -> (GlobalOptions, Command) {
        let arguments = line.split(separator: " ").map(String.init)
        guard case .command(let globals, let command) = try CommandLineParser.parse(arguments) else {
            throw HarnessError("not a command: \(line)")
        }
        return (globals, command)
    }

    @Test func conmonCreate() throws {
        let (globals, parsed) = try command(
            "--systemd-cgroup --root=/run/mewz --log-format=json --log /run/u/oci-log create --bundle /b "
            + "--pid-file /run/u/pidfile --no-pivot --no-new-keyring --preserve-fds 2 c1")
        #expect(globals.systemdCgroup)
        #expect(globals.root == "/run/mewz")
        #expect(globals.logFormat == .json)
        #expect(globals.logPath == "/run/u/oci-log")
        var expected = CreateOptions(id: "c1")
        expected.bundle = "/b"
        expected.pidFile = "/run/u/pidfile"
        expected.noPivot = true
        expected.noNewKeyring = true
        expected.preserveFDs = 2
        #expect(parsed == .create(expected))
    }

    @Test func containerdShimCreate() throws {
        let (globals, parsed) = try command(
            "--root /run/containerd/runc/default --log /b/log.json --log-format json --systemd-cgroup "
            + "create --bundle /b --pid-file /b/init.pid c2")
        #expect(globals.root == "/run/containerd/runc/default")
        #expect(globals.logPath == "/b/log.json")
        #expect(globals.logFormat == .json)
        var expected = CreateOptions(id: "c2")
        expected.bundle = "/b"
        expected.pidFile = "/b/init.pid"
        #expect(parsed == .create(expected))
    }

    @Test(arguments: [
        ("start c1", Command.start(id: "c1")),
        ("state c1", .state(id: "c1")),
        ("delete c1", .delete(DeleteOptions(id: "c1"))),
        ("delete --force c1", .delete({ var o = DeleteOptions(id: "c1"); o.force = true; return o }())),
        ("delete -f c1", .delete({ var o = DeleteOptions(id: "c1"); o.force = true; return o }())),
        ("delete c1 --force=false", .delete(DeleteOptions(id: "c1"))),
        ("kill c1 9", .kill(KillOptions(id: "c1", signal: 9))),
        ("kill c1 KILL", .kill(KillOptions(id: "c1", signal: 9))),
        ("kill c1", .kill(KillOptions(id: "c1", signal: 15))),
        ("kill --all c1 9", .kill({ var o = KillOptions(id: "c1", signal: 9); o.all = true; return o }())),
        ("kill -a c1 15", .kill({ var o = KillOptions(id: "c1", signal: 15); o.all = true; return o }())),
        ("kill c1 15 -a", .kill({ var o = KillOptions(id: "c1", signal: 15); o.all = true; return o }())),
        ("run -d -b /b c1", .run({ var o = RunOptions(create: { var c = CreateOptions(id: "c1"); c.bundle = "/b"; return c }()); o.detach = true; return o }())),
        ("run --bundle=/b --pid-file=/p c1", .run(RunOptions(create: { var c = CreateOptions(id: "c1"); c.bundle = "/b"; c.pidFile = "/p"; return c }()))),
        ("create -bundle /b c1", .create({ var c = CreateOptions(id: "c1"); c.bundle = "/b"; return c }())),
        ("create --console-socket /s c1", .create({ var c = CreateOptions(id: "c1"); c.consoleSocket = "/s"; return c }())),
    ])
    func directCalls(line: String, expected: Command) throws {
        #expect(try command(line).1 == expected)
    }

    @Test func defaults() throws {
        let (globals, _) = try command("state c1")
        #expect(globals == GlobalOptions())
        #expect(globals.root == "/run/mewz-runtime")
        #expect(globals.logFormat == .text)
        #expect(!globals.debug)
    }

    @Test func debugAndRootlessAccepted() throws {
        let (globals, _) = try command("--debug --rootless=true state c1")
        #expect(globals.debug)
        #expect(globals.rootless == "true")
    }

    @Test(arguments: [
        ("start", "\"start\" requires exactly 1 argument(s)"),
        ("start a b", "\"start\" requires exactly 1 argument(s)"),
        ("kill", "\"kill\" requires a minimum of 1 and a maximum of 2 arguments"),
        ("kill a 9 x", "\"kill\" requires a minimum of 1 and a maximum of 2 arguments"),
        ("kill a NOPE", "unknown signal \"NOPE\""),
        ("state ..", "invalid container ID format"),
        ("state a/b", "invalid container ID format"),
        ("create --bogus c1", "flag provided but not defined: -bogus"),
        ("create c1 --pid-file", "flag needs an argument: -pid-file"),
        ("create --preserve-fds x c1", "invalid value \"x\" for flag -preserve-fds: parse error"),
        ("delete --force=maybe c1", "invalid boolean value \"maybe\" for -force: parse error"),
        ("--log-format xml state c1", "unknown log-format \"xml\""),
        ("--root / state c1", nil),
        ("--bogus state c1", "flag provided but not defined: -bogus"),
        ("frobnicate c1", "unknown command \"frobnicate\" (see 'mewz-runtime --help')"),
        ("checkpoint --help", "checkpoint is not supported: a unikernel VM cannot be checkpointed"),
    ] as [(String, String?)])
    func rejects(line: String, message: String?) throws {
        let arguments = line.split(separator: " ").map(String.init)
        if let message {
            var failure: OCIError?
            do {
                _ = try CommandLineParser.parse(arguments)
            } catch {
                failure = error
            }
            #expect(failure?.message == message)
        } else {
            // Parses; Runtime refuses "/" (it needs the current directory, so it is not pure).
            #expect(throws: OCIError.self) { try Runtime(options: try self.command(line).0) }
        }
    }

    @Test func helpAndVersion() throws {
        #expect(try CommandLineParser.parse(["--version"]) == .version)
        #expect(try CommandLineParser.parse(["-v"]) == .version)
        guard case .help(let main) = try CommandLineParser.parse(["--help"]) else {
            Issue.record("--help is not help")
            return
        }
        for spec in CommandTable.commands {
            #expect(main.contains("   \(spec.name) "))
        }
        #expect(try CommandLineParser.parse([]) == .help(main))
        guard case .help(let create) = try CommandLineParser.parse(["create", "--help"]) else {
            Issue.record("create --help is not help")
            return
        }
        for flag in ["--bundle DIR, -b DIR", "--pid-file FILE", "--console-socket PATH", "--no-pivot",
                     "--no-new-keyring", "--preserve-fds N"] {
            #expect(create.contains(flag))
        }
        #expect(try CommandLineParser.parse(["help", "create"]) == .help(create))
        #expect(try CommandLineParser.parse(["kill", "-h"]) != .help(create))
    }

    @Test func versionText() {
        let lines = RuntimeVersion.text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("mewz-runtime version "))
        #expect(lines[1].hasPrefix("commit: "))
        #expect(lines[2] == "spec: 1.2.0")
    }

    @Test func bestEffortGlobalsFindTheLog() {
        let globals = CommandLineParser.bestEffortGlobalOptions(
            ["--root", "/r", "--log-format=json", "--log", "/l.json", "create", "--bogus"])
        #expect(globals.logPath == "/l.json")
        #expect(globals.logFormat == .json)
    }
}
