import Foundation
import Glibc
import Testing
@testable import OCI

extension BinaryLifecycleTests {
    /// Creates and (optionally) starts a container running the probe with `args`; returns its
    /// pid. A started `spin` container is returned once its guest has printed its line, so a
    /// signal then reaches a VM that is running guest code.
    private func launch(_ harness: RuntimeHarness, _ id: String, args: [String], start: Bool) throws -> Int32 {
        let bundle = try harness.bundle("bundle-\(id)", args: ["/app.wasm"] + args)
        let pidFile = harness.work + "/\(id).pid"
        let created = try harness.run(["create", "--bundle=" + bundle, "--pid-file=" + pidFile, id],
                                      stdoutPath: harness.work + "/\(id).out")
        guard created.exit == .exited(0) else { throw HarnessError("create failed: \(created.stderr)") }
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        if start {
            #expect(try harness.run(["start", id]).exit == .exited(0))
            if args.last == "spin" {
                #expect(harness.awaitOutput(harness.work + "/\(id).out", (["/app.wasm"] + args).joined(separator: " ") + "\n"))
            }
        }
        return pid
    }

    @Test(.needsKVM) func killRunningThenDelete() throws {
        let harness = try RuntimeHarness()
        let pid = try launch(harness, "k", args: ["spin"], start: true)
        let refused = try harness.run(["delete", "k"])
        #expect(refused.exit == .exited(1))
        #expect(refused.stderr == "mewz-runtime: cannot delete container k that is not stopped: running\n")

        let killed = try harness.run(["kill", "k", "KILL"])
        #expect(killed.exit == .exited(0))
        #expect(killed.stderr.isEmpty)
        #expect(harness.reap(pid) == .signaled(SIGKILL))  // what the caller reports as 137
        #expect(try harness.state("k")?["status"] as? String == "stopped")

        let again = try harness.run(["kill", "k", "9"])
        #expect(again.exit == .exited(1))
        #expect(again.stderr == "mewz-runtime: container not running\n")
        #expect(try harness.run(["kill", "--all", "k", "9"]).exit == .exited(0))
        #expect(try harness.run(["delete", "k"]).exit == .exited(0))
        #expect(!harness.containerDirectoryExists("k"))
    }

    @Test(.needsKVM, arguments: [("TERM", SIGTERM), ("sigusr1", SIGUSR1), ("2", SIGINT)])
    func killDeliversTheNamedSignal(name: String, signal: Int32) throws {
        let harness = try RuntimeHarness()
        let pid = try launch(harness, "s", args: ["spin"], start: true)
        #expect(try harness.run(["kill", "s", name]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(signal))
        #expect(try harness.run(["delete", "s"]).exit == .exited(0))
    }

    @Test(.needsKVM) func containerStartsWithCleanSignalState() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"])
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "c"],
                                      stdoutPath: harness.work + "/out", hostileSignals: true)
        #expect(created.exit == .exited(0))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let masks = try #require(RuntimeHarness.signalMasks(of: pid))
        #expect(masks.blocked == "0000000000000000")
        // Signals 32 and 33 belong to glibc (its sigaction refuses them); 1-31 must be default.
        #expect(UInt64(masks.ignored, radix: 16).map { $0 & 0x7FFF_FFFF } == 0)
        #expect(try harness.run(["start", "c"]).exit == .exited(0))
        #expect(harness.awaitOutput(harness.work + "/out", "/app.wasm spin\n"))
        #expect(try harness.run(["kill", "c", "INT"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGINT))
        #expect(try harness.run(["delete", "c"]).exit == .exited(0))
    }

    @Test(.needsKVM) func runForwardsEvenWhenTheCallerBlockedSignals() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"])
        let runPID = try harness.spawn(["--root", harness.root, "run", "-b", bundle, "r"],
                                       stdoutPath: harness.work + "/out", hostileSignals: true)
        #expect(try RuntimeHarness.eventually(seconds: 60) {
            try harness.state("r")?["status"] as? String == "running"
        })
        #expect(harness.awaitOutput(harness.work + "/out", "/app.wasm spin\n"))
        #expect(kill(runPID, SIGHUP) == 0)
        #expect(harness.reap(runPID) == .signaled(SIGHUP))
        #expect(!harness.containerDirectoryExists("r"))
        #expect(harness.leftoverProcesses().isEmpty)
    }

    @Test(.needsKVM) func killWithoutSignalSendsTERMToCreated() throws {
        let harness = try RuntimeHarness()
        let pid = try launch(harness, "t", args: [], start: false)
        #expect(try harness.run(["kill", "t"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGTERM))
        #expect(try harness.run(["delete", "t"]).exit == .exited(0))
    }

    @Test(.needsKVM) func deadProcessReadsAsStoppedBeforeItIsReaped() throws {
        let harness = try RuntimeHarness()
        let pid = try launch(harness, "z", args: ["spin"], start: true)
        #expect(kill(pid, SIGKILL) == 0)
        #expect(RuntimeHarness.eventually { ProcessStat.read(pid: pid)?.isDead == true })
        let state = try #require(try harness.state("z"))  // a zombie until we reap it
        #expect(state["status"] as? String == "stopped")
        #expect(state["pid"] as? Int == 0)
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(try harness.run(["delete", "z"]).exit == .exited(0))
    }

    @Test(.needsKVM) func deleteKillsACreatedContainer() throws {
        let harness = try RuntimeHarness()
        let pid = try launch(harness, "d", args: [], start: false)
        #expect(try harness.run(["delete", "d"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(!harness.containerDirectoryExists("d"))
        #expect(try String(contentsOfFile: harness.work + "/d.out", encoding: .utf8).isEmpty)
    }

    @Test(.needsKVM) func deleteForce() throws {
        let harness = try RuntimeHarness()
        let pid = try launch(harness, "f", args: ["spin"], start: true)
        #expect(try harness.run(["delete", "--force", "f"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(!harness.containerDirectoryExists("f"))

        let unknown = try harness.run(["delete", "-f", "never-created"])
        #expect(unknown.exit == .exited(0))
        #expect(unknown.stderr.isEmpty)
        let plain = try harness.run(["delete", "never-created"])
        #expect(plain.exit == .exited(1))
        #expect(plain.stderr == "mewz-runtime: container does not exist\n")
    }

    /// What a create killed before it wrote the state leaves: the directory and its lock
    /// file. delete --force removes it (it used to wait for ever on its own lock).
    @Test(.timeLimit(.minutes(1))) func deleteForceRemovesADirectoryWithoutState() throws {
        let harness = try RuntimeHarness()
        let directory = harness.root + "/abandoned"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: directory + "/lock", contents: nil))
        let plain = try harness.run(["delete", "abandoned"])
        #expect(plain.exit == .exited(1))
        let forced = try harness.run(["delete", "-f", "abandoned"])
        #expect(forced.exit == .exited(0) && forced.stderr.isEmpty)
        #expect(!harness.containerDirectoryExists("abandoned"))
    }

    @Test func unknownContainerErrors() throws {
        let harness = try RuntimeHarness()
        for command in [["state", "x"], ["start", "x"], ["kill", "x", "9"], ["kill", "-a", "x"], ["delete", "x"]] {
            let outcome = try harness.run(command)
            #expect(outcome.exit == .exited(1))
            #expect(outcome.stderr == "mewz-runtime: container does not exist\n")
        }
        let invalid = try harness.run(["state", ".."])
        #expect(invalid.stderr == "mewz-runtime: invalid container ID format\n")
    }

    // MARK: run

    @Test(.needsKVM, arguments: [Int32(0), 3, 42, 255])
    func runExitsWithTheContainerStatus(status: Int32) throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "x", String(status)])
        let pidFile = harness.work + "/run.pid"
        let outcome = try harness.run(["run", "--bundle", bundle, "--pid-file", pidFile, "r"],
                                      stdoutPath: harness.work + "/out")
        #expect(outcome.exit == .exited(status))
        #expect(outcome.stdout == "/app.wasm x \(status)\n")
        #expect(outcome.stderr.isEmpty)
        #expect(FileManager.default.fileExists(atPath: pidFile))
        #expect(!harness.containerDirectoryExists("r"))
        #expect(harness.leftoverProcesses().isEmpty)
    }

    /// The committed example bundle, as is: its config.json runs the probe with "hello 7".
    @Test(.needsKVM) func probeExampleBundleRuns() throws {
        let harness = try RuntimeHarness()
        let bundle = RuntimeHarness.packageRoot.appendingPathComponent("oci/examples/probe").path
        let outcome = try harness.run(["run", "--bundle", bundle, "probe"], stdoutPath: harness.work + "/out")
        #expect(outcome.exit == .exited(7))
        #expect(outcome.stdout == "/probe.wasm hello 7\n")
        #expect(outcome.stderr.isEmpty)
        #expect(!harness.containerDirectoryExists("probe"))
    }

    /// A guest cannot die by a signal, so the signal comes from outside, straight to the
    /// container process (not through run): SIGUSR1 and SIGKILL kill the monitor by their
    /// default action, SIGTERM makes it stop the VM and re-raise. run then dies the same way.
    @Test(.needsKVM, arguments: [SIGUSR1, SIGTERM, SIGKILL])
    func runDiesByTheContainersSignal(signal: Int32) throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"])
        let pidFile = harness.work + "/run.pid"
        let runPID = try harness.spawn(["--root", harness.root, "run", "-b", bundle, "--pid-file", pidFile, "r"],
                                       stdoutPath: harness.work + "/out")
        #expect(harness.awaitOutput(harness.work + "/out", "/app.wasm spin\n"))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(ProcessStat.read(pid: pid)?.parentPID == runPID)
        #expect(kill(pid, signal) == 0)
        #expect(harness.reap(runPID) == .signaled(signal))
        #expect(!harness.containerDirectoryExists("r"))
        #expect(harness.leftoverProcesses().isEmpty)
    }

    @Test(.needsKVM, arguments: [SIGTERM, SIGINT, SIGHUP])
    func runForwardsSignals(signal: Int32) throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"])
        let runPID = try harness.spawn(["--root", harness.root, "run", "-b", bundle, "r"],
                                       stdoutPath: harness.work + "/out")
        let running = try RuntimeHarness.eventually(seconds: 60) {
            try harness.state("r")?["status"] as? String == "running"
        }
        #expect(running)
        #expect(harness.awaitOutput(harness.work + "/out", "/app.wasm spin\n"))
        #expect(kill(runPID, signal) == 0)
        #expect(harness.reap(runPID) == .signaled(signal))
        #expect(!harness.containerDirectoryExists("r"))
        #expect(harness.leftoverProcesses().isEmpty)
    }

    @Test(.needsKVM) func runDetachLeavesItRunning() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"])
        let pidFile = harness.work + "/pid"
        let outcome = try harness.run(["run", "-d", "-b", bundle, "--pid-file", pidFile, "r"],
                                      stdoutPath: harness.work + "/out")
        #expect(outcome.exit == .exited(0))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(ProcessStat.read(pid: pid)?.parentPID == getpid())
        #expect(try harness.state("r")?["status"] as? String == "running")
        #expect(harness.awaitOutput(harness.work + "/out", "/app.wasm spin\n"))
        #expect(try harness.run(["kill", "r", "TERM"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGTERM))
        #expect(try harness.run(["delete", "r"]).exit == .exited(0))
    }

    // MARK: CLI surface

    @Test func helpVersionAndUnsupported() throws {
        let harness = try RuntimeHarness()
        let version = try harness.run(["--version"])
        #expect(version.exit == .exited(0))
        #expect(version.stdout == RuntimeVersion.text)
        let help = try harness.run(["create", "--help"])
        #expect(help.exit == .exited(0))
        #expect(help.stdout.contains("--pid-file FILE"))
        let checkpoint = try harness.run(["checkpoint", "--help"])
        #expect(checkpoint.exit == .exited(1))  // podman reads rc != 0 as "checkpoint unsupported"
        #expect(checkpoint.stderr.split(separator: "\n").count == 1)
    }
}
