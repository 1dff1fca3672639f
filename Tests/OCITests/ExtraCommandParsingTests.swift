import Testing
@testable import OCI

/// list, ps, features, spec, and the commands a unikernel refuses, as clients send them.
@Suite struct ExtraCommandParsingTests: CommandLineParsing {
    @Test func listFlags() throws {
        var json = ListOptions()
        json.format = .json
        #expect(try parse("--root /r list --format=json") == .command(try rootOnly("/r"), .list(json)))
        var quiet = ListOptions()
        quiet.quiet = true
        #expect(try parse("--root /r list -q") == .command(try rootOnly("/r"), .list(quiet)))
        #expect(refusal("list --format yaml")?.kind == .usage)
        #expect(refusal("list extra")?.kind == .usage)
    }

    @Test func psFlagsAndIgnoredPsArguments() throws {
        var options = PsOptions(id: "c1")
        options.format = .json
        #expect(try parse("--root /r ps --format json c1") == .command(try rootOnly("/r"), .ps(options)))
        #expect(try parse("--root /r ps c1 aux") == .command(try rootOnly("/r"), .ps(PsOptions(id: "c1"))))
        #expect(refusal("ps")?.kind == .usage)
        #expect(refusal("ps ../x")?.kind == .invalidID)
    }

    @Test func featuresAndSpec() throws {
        #expect(try parse("--root /r features") == .command(try rootOnly("/r"), .features))
        #expect(try parse("--root /r spec --bundle /b") == .command(try rootOnly("/r"), .spec(bundle: "/b")))
        #expect(try parse("--root /r spec --rootless") == .command(try rootOnly("/r"), .spec(bundle: nil)))
    }

    /// Refused commands parse any arguments and find the container id in them (runc's flags
    /// that take a value are skipped), so a fallback runtime's container can still get them.
    @Test(arguments: [
        ("exec --pid-file /p --process /s --detach --console-socket /c c1", "exec", "c1"),
        ("exec --process=/s -t c1 sh -c x", "exec", "c1"),
        ("exec -p /s -e A=1 -u 0 c1", "exec", "c1"),
        ("checkpoint --image-path /i --leave-running c1", "checkpoint", "c1"),
        ("restore --bundle /b --image-path /i c2", "restore", "c2"),
        ("exec", "exec", nil),
    ] as [(String, String, String?)])
    func unsupportedCommandsCarryTheirID(line: String, name: String, id: String?) throws {
        guard case .command(_, .unsupported(let parsedName, _, let parsedID)) = try parse(line) else {
            Issue.record("\(line) did not parse as a refused command")
            return
        }
        #expect(parsedName == name)
        #expect(parsedID == id)
    }

    @Test(arguments: [
        ("checkpoint --help", "checkpoint is not supported: a unikernel VM cannot be checkpointed"),
        ("restore -h", "restore is not supported: a unikernel VM cannot be checkpointed"),
    ])
    func checkpointHelpFails(line: String, message: String) {
        let error = refusal(line)
        #expect(error?.kind == .unsupported)
        #expect(error?.message == message)
    }

    @Test func pauseResumeEvents() throws {
        #expect(try parse("pause c1") == .command(GlobalOptions(), .pause(id: "c1")))
        #expect(try parse("resume c1") == .command(GlobalOptions(), .resume(id: "c1")))
        var events = EventsOptions(id: "c1")
        events.stats = true
        #expect(try parse("events --stats c1") == .command(GlobalOptions(), .events(events)))
        events.stats = false
        events.intervalMilliseconds = 1500
        #expect(try parse("events --interval=1.5s c1") == .command(GlobalOptions(), .events(events)))
        events.intervalMilliseconds = 90_000
        #expect(try parse("events --interval 1m30s c1") == .command(GlobalOptions(), .events(events)))
        #expect(refusal("events --interval 5 c1")?.message == "invalid value \"5\" for flag -interval: parse error")
        #expect(refusal("pause")?.message == "\"pause\" requires exactly 1 argument(s)")
    }

    @Test(arguments: [("5s", 5000), ("250ms", 250), ("1m30s", 90_000), ("1.5s", 1500), ("2h", 7_200_000),
                      ("100us", 1), ("0", 0)] as [(String, Int)])
    func goDurations(text: String, milliseconds: Int) {
        #expect(GoDuration.milliseconds(text) == milliseconds)
    }

    @Test(arguments: ["", "5", "s", "1x", "-1s", "1.s.", "."])
    func badGoDurations(text: String) {
        #expect(GoDuration.milliseconds(text) == nil)
    }

    /// Every command has help, except the ones podman probes for support with `--help`.
    @Test func everyCommandHasHelpUnlessItIsAProbe() throws {
        for command in CommandTable.commands {
            if command.helpRefused {
                #expect(refusal("\(command.name) --help")?.kind == .unsupported, "\(command.name)")
            } else {
                guard case .help(let text) = try parse("\(command.name) --help") else {
                    Issue.record("\(command.name) --help is not help")
                    continue
                }
                #expect(text.contains("\(CommandTable.program) \(command.name) - "), "\(command.name)")
            }
        }
        #expect(Set(CommandTable.commands.filter(\.helpRefused).map(\.name)) == ["checkpoint", "restore"])
    }

    private func rootOnly(_ root: String) throws -> GlobalOptions {
        var globals = GlobalOptions()
        globals.root = root
        return globals
    }
}
