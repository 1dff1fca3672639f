import Testing
@testable import OCI

/// list, ps, features, spec, and the commands a unikernel refuses, as clients send them.
@Suite struct ExtraCommandParsingTests {
    private func parse(_ line: String) throws -> Invocation {
        try CommandLineParser.parse(line.split(separator: " ").map(String.init))
    }

    private func refusal(_ line: String) -> OCIError? {
        do {
            _ = try CommandLineParser.parse(line.split(separator: " ").map(String.init))
            return nil
        } catch {
            return error
        }
    }

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

    @Test(arguments: [
        ("exec --pid-file /p --process /s --detach --console-socket /c c1",
         "exec is not supported: a unikernel runs exactly one process"),
        ("exec --process /s c1", "exec is not supported: a unikernel runs exactly one process"),
        ("checkpoint --image-path /i --leave-running c1",
         "checkpoint is not supported: a unikernel VM cannot be checkpointed yet"),
        ("checkpoint --help", "checkpoint is not supported: a unikernel VM cannot be checkpointed yet"),
        ("restore -h", "restore is not supported: a unikernel VM cannot be checkpointed yet"),
        ("pause c1", "pause is not supported: pausing a unikernel VM is not implemented yet"),
        ("resume c1", "resume is not supported: pausing a unikernel VM is not implemented yet"),
        ("update --resources=- c1", "update is not supported: resource limits (cgroups) are not managed yet"),
        ("events --stats --interval=5s c1",
         "events is not supported: container events and statistics are not reported yet"),
    ])
    func unsupportedCommandsFailWithOneLine(line: String, message: String) {
        let error = refusal(line)
        #expect(error?.kind == .unsupported)
        #expect(error?.message == message)
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
