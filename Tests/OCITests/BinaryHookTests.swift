import Foundation
import Glibc
import Testing
@testable import OCI

/// config.json hooks through the built binary: the points and order runc runs them at, the
/// State on their stdin, their namespaces, environment, timeout and failure semantics.
@Suite(.serialized, .needsBinary) struct BinaryHookTests {
    /// A hook that appends "<point> <stdin> <its network namespace>" to `log`, then runs `then`.
    static func hook(_ point: String, log: String, then command: String = "true", timeout: Int? = nil) -> [String: Any] {
        var hook: [String: Any] = [
            "path": "/bin/sh",
            "args": ["sh", "-c", "echo \(point) $(cat) $(readlink /proc/self/ns/net) >> \(log); \(command)"],
        ]
        if let timeout { hook["timeout"] = timeout }
        return hook
    }

    static let points = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]

    struct LogLine {
        var point: String
        var state: [String: Any]
        var network: String
    }

    static func read(_ log: String) throws -> [LogLine] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            let point = String(line.prefix { $0 != " " })
            let rest = line.dropFirst(point.count + 1)
            guard let end = rest.lastIndex(of: " ") else { throw HarnessError("bad hook log line \(line)") }
            let state = try JSONSerialization.jsonObject(with: Data(rest[..<end].utf8)) as? [String: Any] ?? [:]
            return LogLine(point: point, state: state, network: String(rest[rest.index(after: end)...]))
        }
    }

    @Test(.needsKVM) func everyPointInOrderWithItsState() throws {
        let harness = try RuntimeHarness()
        let log = harness.work + "/hooks.log"
        let bundle = try harness.bundle("b", args: ["/app.wasm", "5"]) { config in
            config["hooks"] = Dictionary(uniqueKeysWithValues: BinaryHookTests.points.map {
                ($0, [BinaryHookTests.hook($0, log: log)])
            })
            config["linux"] = ["namespaces": [["type": "network"]], "cgroupsPath": harness.cgroupParent + "/h"]
        }
        let output = harness.work + "/out"
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "h"], stdoutPath: output)
        #expect(created.exit == .exited(0), "\(created.stderr)")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let monitorNetwork = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
        let ownNetwork = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        #expect(try BinaryHookTests.read(log).map(\.point) == ["prestart", "createRuntime", "createContainer"])

        #expect(try harness.run(["start", "h"]).exit == .exited(0))
        #expect(harness.reap(pid) == .exited(5))
        #expect(try BinaryHookTests.read(log).map(\.point) == Array(BinaryHookTests.points.dropLast()))
        #expect(try harness.run(["delete", "h"]).exit == .exited(0))

        let lines = try BinaryHookTests.read(log)
        #expect(lines.map(\.point) == BinaryHookTests.points)
        let statuses = lines.map { $0.state["status"] as? String ?? "" }
        #expect(statuses == ["creating", "creating", "creating", "created", "running", "stopped"])
        for line in lines {
            #expect(line.state["id"] as? String == "h")
            #expect(line.state["bundle"] as? String == bundle)
            #expect(line.state["ociVersion"] as? String == ContainerState.ociVersion)
            #expect(line.state["annotations"] as? [String: String] == ["org.example/k": "v"])
            // pid while there is a process; none in poststop.
            #expect(line.state["pid"] as? Int == (line.point == "poststop" ? nil : Int(pid)), "\(line.point)")
            // createContainer and startContainer run in the container's (the monitor's) namespaces.
            let inContainer = line.point == "createContainer" || line.point == "startContainer"
            #expect(line.network == (inContainer ? monitorNetwork : ownNetwork), "\(line.point)")
        }
    }

    /// A create hook past its timeout: killed, create fails with runc's text, nothing is left,
    /// and the poststop hooks run (runc's destroy).
    @Test(.needsKVM) func timeoutFailsCreate() throws {
        let harness = try RuntimeHarness()
        let log = harness.work + "/hooks.log"
        let cgroup = harness.cgroupParent + "/t"
        let bundle = try harness.bundle("b", args: ["/app.wasm"]) { config in
            config["hooks"] = ["createRuntime": [BinaryHookTests.hook("createRuntime", log: log, then: "exec sleep 30", timeout: 1)],
                               "poststop": [BinaryHookTests.hook("poststop", log: log)]]
            config["linux"] = ["cgroupsPath": cgroup]
        }
        let pidFile = harness.work + "/pid"
        let started = Date()
        let outcome = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "t"], stdoutPath: harness.work + "/out")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(outcome.exit == .exited(1))
        #expect(outcome.stderr
                == "mewz-runtime: error running createRuntime hook #0 (/bin/sh): hook ran past specified timeout of 1.0s\n")
        #expect(try BinaryHookTests.read(log).map(\.point) == ["createRuntime", "poststop"])
        #expect(!harness.containerDirectoryExists("t"))
        #expect(!FileManager.default.fileExists(atPath: pidFile))
        #expect(harness.leftoverProcesses().isEmpty)
        #expect(harness.cgroupDirectories(cgroup).isEmpty)
        // The killed hook's sleep is gone too (it was the hook process itself).
        #expect(!RuntimeHarness.processes(named: "sleep").contains { RuntimeHarness.commandLine(of: $0) == ["sleep", "30"] })
    }

    @Test(.needsKVM, arguments: ["prestart", "createRuntime", "createContainer"])
    func failingCreateHook(point: String) throws {
        let harness = try RuntimeHarness()
        let log = harness.work + "/hooks.log"
        let bundle = try harness.bundle("b", args: ["/app.wasm"]) { config in
            config["hooks"] = [point: [BinaryHookTests.hook(point, log: log),
                                       BinaryHookTests.hook(point, log: log, then: "echo out; echo err >&2; exit 3"),
                                       BinaryHookTests.hook(point, log: log)]]
        }
        let outcome = try harness.run(["create", "-b", bundle, "f"], stdoutPath: harness.work + "/out")
        #expect(outcome.exit == .exited(1))
        #expect(outcome.stderr
                == "mewz-runtime: error running \(point) hook #1 (/bin/sh): exit status 3, stdout: out, stderr: err\n")
        // The first ran, the second failed, the third never ran.
        #expect(try BinaryHookTests.read(log).map(\.point) == [point, point])
        #expect(!harness.containerDirectoryExists("f"))
        #expect(harness.leftoverProcesses().isEmpty)
    }

    /// startContainer failing: start fails, the guest never runs, the container is stopped.
    /// poststart failing: start fails and the (running) container is killed.
    @Test(.needsKVM, arguments: ["startContainer", "poststart"])
    func failingStartHook(point: String) throws {
        let harness = try RuntimeHarness()
        let log = harness.work + "/hooks.log"
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"]) { config in
            config["hooks"] = [point: [BinaryHookTests.hook(point, log: log, then: "exit 9")]]
        }
        let output = harness.work + "/out"
        let pidFile = harness.work + "/pid"
        #expect(try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "s"], stdoutPath: output).exit == .exited(0))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let started = try harness.run(["start", "s"])
        #expect(started.exit == .exited(1))
        #expect(started.stderr == "mewz-runtime: error running \(point) hook #0 (/bin/sh): exit status 9, stdout: , stderr: \n")
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        if point == "startContainer" {
            #expect(try String(contentsOfFile: output, encoding: .utf8).isEmpty)
        }
        #expect(try harness.state("s")?["status"] as? String == "stopped")
        #expect(try harness.run(["delete", "s"]).exit == .exited(0))
    }

    /// poststop failing: delete fails with the hook's error, and the container is gone anyway.
    @Test(.needsKVM) func failingPoststop() throws {
        let harness = try RuntimeHarness()
        let log = harness.work + "/hooks.log"
        let bundle = try harness.bundle("b", args: ["/app.wasm"]) { config in
            config["hooks"] = ["poststop": [BinaryHookTests.hook("poststop", log: log, then: "exit 4")]]
        }
        let pidFile = harness.work + "/pid"
        #expect(try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "p"], stdoutPath: harness.work + "/out").exit
                == .exited(0))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let deleted = try harness.run(["delete", "p"])
        #expect(deleted.exit == .exited(1))
        #expect(deleted.stderr == "mewz-runtime: error running poststop hook #0 (/bin/sh): exit status 4, stdout: , stderr: \n")
        #expect(!harness.containerDirectoryExists("p"))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
    }

    /// A hook without env gets the runtime's environment; with env, exactly it. A hook that
    /// cannot be executed fails with Go's fork/exec text.
    @Test(.needsKVM) func environmentAndExecFailure() throws {
        let harness = try RuntimeHarness()
        let log = harness.work + "/env.log"
        let bundle = try harness.bundle("b", args: ["/app.wasm"]) { config in
            config["hooks"] = ["prestart": [
                ["path": "/bin/sh", "args": ["sh", "-c", "echo inherited=$HOOK_PROBE >> \(log)"]],
                ["path": "/bin/sh", "args": ["sh", "-c", "echo given=$HOOK_PROBE,$A >> \(log)"], "env": ["A=1"]],
            ]]
        }
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "e"],
                                      environment: ["HOOK_PROBE": "yes"], stdoutPath: harness.work + "/out")
        #expect(created.exit == .exited(0), "\(created.stderr)")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "inherited=yes\ngiven=,1\n")
        #expect(try harness.run(["delete", "e"]).exit == .exited(0))
        #expect(harness.reap(try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))) == .signaled(SIGKILL))

        let missing = try harness.bundle("m", args: ["/app.wasm"]) { config in
            config["hooks"] = ["createRuntime": [["path": "/nonexistent/hook"]]]
        }
        let failed = try harness.run(["create", "-b", missing, "m"], stdoutPath: harness.work + "/out")
        #expect(failed.stderr == "mewz-runtime: error running createRuntime hook #0 (/nonexistent/hook): "
                + "fork/exec /nonexistent/hook: no such file or directory\n")
        #expect(!harness.containerDirectoryExists("m"))
        #expect(harness.leftoverProcesses().isEmpty)
    }
}
