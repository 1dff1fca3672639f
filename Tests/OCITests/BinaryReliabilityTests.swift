import Foundation
import Glibc
import Testing
@testable import OCI

/// Many containers at once, and bad input that must change nothing.
@Suite(.serialized, .needsBinary) struct BinaryReliabilityTests {
    /// The mount table, without what other tests running alongside mount: network namespaces
    /// bound under /run/netns and the overlays of their podman storage (PodmanEnvironment's
    /// /tmp/mewz-podman-*). This test makes neither.
    static func mounts() -> [String] {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n")
            .map { $0.split(separator: " ").dropFirst(3).prefix(2).joined(separator: " ") }
            .filter { !$0.contains(" /run/netns/") && !$0.contains("/mewz-podman-") }.sorted()
    }

    /// 100 containers created, started and deleted concurrently (each in its own cgroup, the
    /// default one: `<own cgroup>/<id>` in every hierarchy):
    /// every one runs and exits 0, and afterwards no process, descriptor, mount, state
    /// directory or cgroup is left.
    @Test(.needsKVM) func hundredConcurrentContainersLeaveNothing() throws {
        let harness = try RuntimeHarness()
        let count = 100
        let bundle = try harness.bundle("b", args: ["/app.wasm", "0"]) { config in
            config["linux"] = ["resources": ["pids": ["limit": 16]]]
        }
        // Build the image once, so the concurrent creates all hit the cache.
        #expect(try harness.run(["run", "-b", bundle, "warm"], stdoutPath: harness.work + "/warm.out").exit == .exited(0))
        let mountsBefore = BinaryReliabilityTests.mounts()
        let ids = (0..<count).map { "many-\(getpid())-\($0)" }

        func all(_ arguments: (String) -> [String]) throws -> [ProcessExit?] {
            let pids = try ids.map { id in
                try harness.spawn(["--root", harness.root] + arguments(id),
                                  stdoutPath: harness.work + "/\(id).out", stderrPath: harness.work + "/\(id).err")
            }
            return pids.map { RuntimeHarness.wait($0, seconds: 300, what: "mewz-runtime") }
        }
        func errors() -> String {
            ids.compactMap { try? String(contentsOfFile: harness.work + "/\($0).err", encoding: .utf8) }
                .filter { !$0.isEmpty }.prefix(3).joined()
        }

        let created = try all { ["create", "-b", bundle, "--pid-file", harness.work + "/\($0).pid", "\($0)"] }
        #expect(created.allSatisfy { $0 == .exited(0) }, "\(errors())")
        let monitors = ids.compactMap { id in
            (try? String(contentsOfFile: harness.work + "/\(id).pid", encoding: .utf8)).flatMap { Int32($0) }
        }
        #expect(monitors.count == count)
        let started = try all { ["start", $0] }
        #expect(started.allSatisfy { $0 == .exited(0) }, "\(errors())")
        let exits = monitors.map { harness.reap($0, seconds: 300) }
        #expect(exits.allSatisfy { $0 == .exited(0) }, "\(exits)")
        for id in ids {
            let output = (try? String(contentsOfFile: harness.work + "/\(id).out", encoding: .utf8)) ?? ""
            #expect(output == "/app.wasm 0\n", "\(id): \(output)")
        }
        let deleted = try all { ["delete", $0] }
        #expect(deleted.allSatisfy { $0 == .exited(0) }, "\(errors())")

        #expect(harness.leftoverProcesses().isEmpty, "\(harness.leftoverProcesses())")
        // No process anywhere holds a file of the state root or the bundle (lock, fifo, image).
        let held = RuntimeHarness.allDescriptors().filter { $0.target.hasPrefix(harness.work + "/") }
        #expect(held.isEmpty, "\(held)")
        #expect(BinaryReliabilityTests.mounts() == mountsBefore)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: harness.root)) ?? []).isEmpty)
        let cgroups = try CgroupHierarchy.discover().flatMap { hierarchy in
            ids.compactMap { hierarchy.directory(of: PathName.join(hierarchy.ownPath, $0)) }
        }
        #expect(cgroups.count >= count)
        #expect(cgroups.filter { FileManager.default.fileExists(atPath: $0) }.isEmpty)
    }

    /// Bad input to a command on an existing container: one line, and the container and its
    /// state are untouched.
    @Test(.needsKVM) func badInputChangesNothing() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm"])
        let pidFile = harness.work + "/pid"
        #expect(try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "c"], stdoutPath: harness.work + "/out").exit
                == .exited(0))
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let before = try String(contentsOfFile: harness.root + "/c/mewz-state.json", encoding: .utf8)
        for (arguments, message) in [
            (["kill", "c", "NOPE"], "unknown signal \"NOPE\""),
            (["kill", "c", "99"], "unknown signal \"99\""),
            (["create", "-b", bundle, "c"], "container with given ID already exists"),
            (["create", "-b", bundle, "a/b"], "invalid container ID format"),
            (["create", "-b", bundle, "bad id"], "invalid container ID format"),
            (["start", "c", "extra"], "\"start\" requires exactly 1 argument(s)"),
            (["--log-format", "yaml", "state", "c"], "unknown log-format \"yaml\""),
        ] {
            let outcome = try harness.run(arguments, stdoutPath: harness.work + "/bad.out")
            #expect(outcome.exit == .exited(1), "\(arguments)")
            #expect(outcome.stderr == "mewz-runtime: \(message)\n", "\(arguments)")
            #expect(outcome.stdout.isEmpty)
        }
        #expect(try String(contentsOfFile: harness.root + "/c/mewz-state.json", encoding: .utf8) == before)
        #expect(try harness.state("c")?["status"] as? String == "created")
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.root) == ["c"])
        #expect(try harness.run(["delete", "c"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
    }
}
