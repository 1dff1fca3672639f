import Foundation
import Glibc
import Testing
@testable import OCI

/// Bundles that are not mewz-runtime's: handed to runc by execve with the same argv (its
/// state beside ours under --root), later commands too; `list` merges both; pod sandboxes
/// always go to runc; run.oci.handler and module.wasm.image/variant decide as crun's do.
@Suite(.serialized, .needsBinary) struct BinaryFallbackTests {
    static var runcAvailable: Bool { FileManager.default.isExecutableFile(atPath: RuntimeHarness.runc) }

    @Test func nativeBundleWithoutFallbackFailsCleanly() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.nativeBundle("n", args: ["/bin/sh", "-c", "echo native"])
        let outcome = try harness.run(["create", "-b", bundle, "n"], environment: ["MEWZ_RUNTIME_CONFIG": "/dev/null"],
                                      stdoutPath: harness.work + "/out")
        #expect(outcome.exit == .exited(1))
        #expect(outcome.stderr == "mewz-runtime: /bin/sh is not a WebAssembly module (bad magic)\n")
        #expect(!harness.containerDirectoryExists("n"))
    }

    @Test func annotationThatSaysNotWasmWithoutFallback() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm"]) { config in
            config["annotations"] = ["run.oci.handler": "krun"]
        }
        let outcome = try harness.run(["create", "-b", bundle, "k"], environment: ["MEWZ_RUNTIME_CONFIG": "/dev/null"],
                                      stdoutPath: harness.work + "/out")
        #expect(outcome.stderr == "mewz-runtime: not a WebAssembly container (run.oci.handler=krun) and no fallback "
                + "runtime is configured (--fallback-runtime, $MEWZ_FALLBACK_RUNTIME or /etc/mewz-runtime/config)\n")
        #expect(!harness.containerDirectoryExists("k"))
    }

    /// The whole lifecycle of a native container through mewz-runtime, configured three ways.
    @Test(arguments: ["flag", "environment", "file"])
    func nativeBundleGoesToRunc(configuredBy: String) throws {
        try #require(BinaryFallbackTests.runcAvailable, "runc is missing (hack/install-deps)")
        let harness = try RuntimeHarness()
        let bundle = try harness.nativeBundle("n", args: ["/bin/sh", "-c", "echo native; exec sleep 60"])
        var flags: [String] = []
        var environment: [String: String] = ["MEWZ_RUNTIME_CONFIG": "/dev/null"]
        switch configuredBy {
        case "flag": flags = ["--fallback-runtime", RuntimeHarness.runc]
        case "environment": environment["MEWZ_FALLBACK_RUNTIME"] = RuntimeHarness.runc
        default:
            let file = harness.work + "/config"
            try "# test\nfallback-runtime = \"\(RuntimeHarness.runc)\"\n".write(toFile: file, atomically: true, encoding: .utf8)
            environment["MEWZ_RUNTIME_CONFIG"] = file
        }
        let output = harness.work + "/out"
        let pidFile = harness.work + "/pid"
        let created = try harness.run(flags + ["create", "-b", bundle, "--pid-file", pidFile, "n"],
                                      environment: environment, stdoutPath: output)
        #expect(created.exit == .exited(0), "\(created.stderr)")
        // runc's own state, where mewz-runtime keeps its: same --root, its own file name.
        #expect(FileManager.default.fileExists(atPath: harness.root + "/n/state.json"))
        #expect(!FileManager.default.fileExists(atPath: harness.root + "/n/mewz-state.json"))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(ProcessStat.read(pid: pid)?.parentPID == getpid())  // runc's init, our child too

        // Later commands need no configuration: the id is runc's.
        let state = try #require(try harness.state("n"))
        #expect(state["status"] as? String == "created")
        #expect(state["pid"] as? Int == Int(pid))

        // A mewz container beside it: list shows both, sorted, in runc's formats.
        let wasmPIDFile = harness.work + "/w.pid"
        #expect(try harness.run(["create", "-b", try harness.bundle("w", args: ["/app.wasm"]), "--pid-file", wasmPIDFile, "w"],
                                stdoutPath: harness.work + "/w.out").exit == .exited(0))
        let listed = try harness.run(["list", "--format", "json"])
        #expect(listed.exit == .exited(0))
        #expect(listed.stderr.isEmpty)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == ["n", "w"])
        #expect(rows.map { $0["status"] as? String } == ["created", "created"])
        #expect(try harness.run(["list", "-q"]).stdout == "n\nw\n")

        #expect(try harness.run(["start", "n"]).exit == .exited(0))
        #expect(harness.awaitOutput(output, "native\n"))
        #expect(try harness.state("n")?["status"] as? String == "running")
        // exec is refused for a mewz container but is runc's to run for its own.
        let exec = try harness.run(["exec", "n", "/bin/echo", "from exec"], stdoutPath: harness.work + "/exec.out")
        #expect(exec.exit == .exited(0), "\(exec.stderr)")
        #expect(exec.stdout == "from exec\n")
        #expect(try harness.run(["exec", "w", "/bin/echo"]).stderr
                == "mewz-runtime: exec is not supported: a unikernel runs exactly one process\n")
        // update: runc's flags for limits mewz-runtime does not apply reach runc for its own
        // container (runc ignores --kernel-memory with a warning), and are refused for a mewz one.
        let update = try harness.run(["update", "--kernel-memory", "1000000", "--pids-limit", "50", "n"])
        #expect(update.exit == .exited(0), "\(update.stderr)")
        #expect(try harness.run(["update", "--kernel-memory", "1000000", "w"]).stderr
                == "mewz-runtime: update --kernel-memory is not supported by mewz-runtime (it applies CPU, cpuset, memory and pids limits)\n")

        #expect(try harness.run(["kill", "n", "KILL"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(try harness.run(["delete", "n"]).exit == .exited(0))
        #expect(!harness.containerDirectoryExists("n"))
        #expect(try harness.run(["delete", "w"]).exit == .exited(0))
        #expect(harness.reap(try #require(Int32(try String(contentsOfFile: wasmPIDFile, encoding: .utf8)))) == .signaled(SIGKILL))
    }

    /// A pod sandbox (either CRI annotation) goes to runc even with no fallback configured,
    /// and later commands follow it there.
    @Test(arguments: ["io.kubernetes.cri.container-type", "io.kubernetes.cri-o.ContainerType"])
    func sandboxGoesToRunc(key: String) throws {
        try #require(BinaryFallbackTests.runcAvailable, "runc is missing (hack/install-deps)")
        let harness = try RuntimeHarness()
        let bundle = try harness.nativeBundle("p", args: ["/bin/sleep", "60"], annotations: [key: "sandbox"])
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "pause"],
                                      environment: ["MEWZ_RUNTIME_CONFIG": "/dev/null"], stdoutPath: harness.work + "/out")
        #expect(created.exit == .exited(0), "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: harness.root + "/pause/state.json"))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(try harness.run(["start", "pause"]).exit == .exited(0))
        #expect(try harness.state("pause")?["status"] as? String == "running")
        #expect(try harness.run(["delete", "--force", "pause"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(!harness.containerDirectoryExists("pause"))
    }

    /// run.oci.handler=wasm makes a module named without .wasm mewz-runtime's.
    @Test(.needsKVM) func handlerAnnotationSaysWasm() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/bin/app", "4"], modulePath: "app") { config in
            config["annotations"] = ["run.oci.handler": "wasm"]
            var process = config["process"] as? [String: Any] ?? [:]
            process["args"] = ["/app", "4"]
            config["process"] = process
        }
        let outcome = try harness.run(["run", "-b", bundle, "a"], stdoutPath: harness.work + "/out")
        #expect(outcome.exit == .exited(4), "\(outcome.stderr)")
        #expect(try String(contentsOfFile: harness.work + "/out", encoding: .utf8) == "/app 4\n")
    }
}
