import Foundation
import Glibc
import Testing
@testable import OCI

/// Where the monitor lives: the namespaces and cgroup config.json names, read back from
/// /proc/<pid>/ns and /proc/<pid>/cgroup of the real monitor; and what its cgroup gives
/// (limits, pause/resume by the freezer, events' statistics).
@Suite(.serialized, .needsBinary) struct BinaryPlacementTests {
    /// A process in a new network namespace (unshare --net), whose /proc/<pid>/ns/net a
    /// bundle can name; killed by `stop`.
    final class NetworkNamespaceHolder {
        let pid: Int32
        var path: String { "/proc/\(pid)/ns/net" }

        init() throws {
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            let words: [String] = ["/usr/bin/unshare", "--net", "/bin/sleep", "600"]
            let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, words[0], nil, &attributes, argv, environ) == 0 else {
                throw HarnessError("posix_spawn unshare")
            }
            self.pid = pid
            // unshare execs sleep once the namespace exists.
            guard RuntimeHarness.eventually(seconds: 10, { RuntimeHarness.commandName(of: pid) == "sleep" }) else {
                throw HarnessError("unshare --net did not start")
            }
        }

        deinit {
            kill(pid, SIGKILL)
            _ = RuntimeHarness.waitBlocking(pid)
        }
    }

    static func namespace(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    static func cgroupLines(_ pid: Int32) -> [String] {
        ((try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func file(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.needsKVM) func monitorJoinsTheNamedNetworkNamespaceAndCgroup() throws {
        let harness = try RuntimeHarness()
        let holder = try NetworkNamespaceHolder()
        let cgroup = harness.cgroupParent + "/c1"
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"]) { config in
            config["linux"] = [
                "namespaces": [["type": "pid"], ["type": "network", "path": holder.path], ["type": "mount"]],
                "cgroupsPath": cgroup,
                "resources": ["memory": ["limit": 256 << 20], "pids": ["limit": 8]],
            ]
        }
        let output = harness.work + "/out"
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "c1"], stdoutPath: output)
        #expect(created.exit == .exited(0), "\(created.stderr)")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))

        #expect(BinaryPlacementTests.namespace("/proc/\(pid)/ns/net") == BinaryPlacementTests.namespace(holder.path))
        #expect(BinaryPlacementTests.namespace("/proc/\(pid)/ns/net") != BinaryPlacementTests.namespace("/proc/self/ns/net"))
        // pid and mount are left alone (NamespacePlan).
        #expect(BinaryPlacementTests.namespace("/proc/\(pid)/ns/mnt") == BinaryPlacementTests.namespace("/proc/self/ns/mnt"))
        #expect(BinaryPlacementTests.namespace("/proc/\(pid)/ns/pid") == BinaryPlacementTests.namespace("/proc/self/ns/pid"))

        // In every hierarchy (v1 controllers, the v2 unified one), exactly cgroupsPath.
        let lines = BinaryPlacementTests.cgroupLines(pid)
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.hasSuffix(":" + cgroup), "\(line)")
        }
        let hierarchies = try CgroupHierarchy.discover()
        for hierarchy in hierarchies {
            let directory = try #require(hierarchy.directory(of: cgroup))
            #expect(BinaryPlacementTests.file(directory + "/cgroup.procs") == String(pid), "\(directory)")
            if hierarchy.controllers.contains("memory") {
                #expect(BinaryPlacementTests.file(directory + "/memory.limit_in_bytes") == String(256 << 20))
            }
            if hierarchy.controllers.contains("pids") {
                #expect(BinaryPlacementTests.file(directory + "/pids.max") == "8")
            }
            if hierarchy.isUnified && hierarchies.count == 1 {
                #expect(BinaryPlacementTests.file(directory + "/memory.max") == String(256 << 20))
                #expect(BinaryPlacementTests.file(directory + "/pids.max") == "8")
            }
        }

        #expect(try harness.run(["start", "c1"]).exit == .exited(0))
        #expect(harness.awaitOutput(output, "/app.wasm spin\n"))

        // pause freezes the spinning vCPU: no CPU time passes until resume.
        let cpuDirectory = try #require(hierarchies.first { $0.controllers.contains("cpuacct") || $0.isUnified }
            .flatMap { $0.directory(of: cgroup) })
        func cpuTime() -> UInt64 {
            let usage = BinaryPlacementTests.file(cpuDirectory + "/cpuacct.usage")
            if let value = UInt64(usage) { return value }
            let stat = BinaryPlacementTests.file(cpuDirectory + "/cpu.stat")
            return stat.split(separator: "\n").first { $0.hasPrefix("usage_usec ") }
                .flatMap { UInt64($0.split(separator: " ")[1]) }.map { $0 * 1000 } ?? 0
        }
        #expect(try harness.run(["pause", "c1"]).exit == .exited(0))
        #expect(try harness.state("c1")?["status"] as? String == "paused")
        let frozenAt = cpuTime()
        usleep(300_000)
        #expect(cpuTime() == frozenAt)
        let again = try harness.run(["pause", "c1"])
        #expect(again.exit == .exited(0))
        #expect(try harness.run(["resume", "c1"]).exit == .exited(0))
        #expect(try harness.state("c1")?["status"] as? String == "running")
        #expect(RuntimeHarness.eventually(seconds: 5) { cpuTime() > frozenAt })
        let notPaused = try harness.run(["resume", "c1"])
        #expect(notPaused.exit == .exited(1))
        #expect(notPaused.stderr == "mewz-runtime: container not paused\n")

        // events --stats: one runc stats event from the cgroup.
        let events = try harness.run(["events", "--stats", "c1"], stdoutPath: harness.work + "/events")
        #expect(events.exit == .exited(0))
        #expect(events.stdout.hasSuffix("}\n") && events.stdout.split(separator: "\n").count == 1)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(events.stdout.utf8)) as? [String: Any])
        #expect(event["type"] as? String == "stats")
        #expect(event["id"] as? String == "c1")
        let data = try #require(event["data"] as? [String: Any])
        // The monitor's vCPU thread, its hypercall ring's server (with two CPUs or more), and
        // on KVM hosts with nx_huge_pages its VM's kvm-nx-lpage-recovery kernel thread, which
        // KVM attaches to the VM creator's cgroups.
        #expect((1...3).contains((data["pids"] as? [String: Any])?["current"] as? Int ?? 0))
        #expect(((data["cpu"] as? [String: Any])?["usage"] as? [String: Any])?["total"] as? Int ?? 0 > 0)
        let memory = try #require((data["memory"] as? [String: Any])?["usage"] as? [String: Any])
        #expect(memory["usage"] as? Int ?? 0 > 0)
        #expect(memory["limit"] as? Int == 256 << 20)

        // delete --force of a paused container thaws it so SIGKILL lands, and removes the cgroup.
        #expect(try harness.run(["pause", "c1"]).exit == .exited(0))
        #expect(try harness.run(["delete", "--force", "c1"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(harness.cgroupDirectories(cgroup).isEmpty, "\(harness.cgroupDirectories(cgroup))")
    }

    /// A network namespace without a path is a new one; no cgroupsPath means `<own cgroup>/<id>`.
    @Test(.needsKVM) func newNetworkNamespaceAndDefaultCgroup() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm"]) { config in
            config["linux"] = ["namespaces": [["type": "network"], ["type": "uts"]]]
        }
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "-b", bundle, "--pid-file", pidFile, "dflt"], stdoutPath: harness.work + "/out")
        #expect(created.exit == .exited(0), "\(created.stderr)")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let net = BinaryPlacementTests.namespace("/proc/\(pid)/ns/net")
        #expect(net != nil && net != BinaryPlacementTests.namespace("/proc/self/ns/net"))
        // uts without a path: not created (NamespacePlan).
        #expect(BinaryPlacementTests.namespace("/proc/\(pid)/ns/uts") == BinaryPlacementTests.namespace("/proc/self/ns/uts"))

        let own = Dictionary(uniqueKeysWithValues: BinaryPlacementTests.cgroupLines(getpid()).map { line in
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            return (String(fields[1]), String(fields[2]))
        })
        for line in BinaryPlacementTests.cgroupLines(pid) {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            #expect(String(fields[2]) == PathName.join(own[String(fields[1])] ?? "/", "dflt"), "\(line)")
        }
        let directories = try CgroupHierarchy.discover().compactMap { hierarchy in
            hierarchy.directory(of: PathName.join(hierarchy.ownPath, "dflt"))
        }
        #expect(directories.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        #expect(try harness.run(["delete", "dflt"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(directories.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "\(directories)")
    }

    /// --systemd-cgroup: "slice:prefix:name" becomes the scope directory systemd would use.
    @Test(.needsKVM) func systemdCgroupPath() throws {
        let harness = try RuntimeHarness()
        let slice = "mewztest\(getpid())"
        let bundle = try harness.bundle("b", args: ["/app.wasm"]) { config in
            config["linux"] = ["cgroupsPath": "\(slice)-pods.slice:mewz:sd1"]
        }
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["--systemd-cgroup", "create", "-b", bundle, "--pid-file", pidFile, "sd1"],
                                      stdoutPath: harness.work + "/out")
        #expect(created.exit == .exited(0), "\(created.stderr)")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let expected = "/\(slice).slice/\(slice)-pods.slice/mewz-sd1.scope"
        for line in BinaryPlacementTests.cgroupLines(pid) {
            #expect(line.hasSuffix(":" + expected), "\(line)")
        }
        #expect(try harness.run(["delete", "sd1"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(harness.cgroupDirectories(expected).isEmpty)
        for directory in harness.cgroupDirectories("/\(slice).slice").reversed() { rmdir(directory) }
    }

    /// A namespace path that is not a network namespace, and a limit on a missing cgroup: one
    /// line each, and neither state, cgroup nor process is left.
    @Test(.needsKVM) func placementFailuresLeaveNothing() throws {
        let harness = try RuntimeHarness()
        let cgroup = harness.cgroupParent + "/bad"
        let cases: [(configure: ([String: Any]) -> [String: Any], message: String)] = [
            ({ _ in ["namespaces": [["type": "network", "path": "/proc/self/ns/uts"]], "cgroupsPath": cgroup] },
             "cannot start container process: join network namespace /proc/self/ns/uts: invalid argument"),
            ({ _ in ["namespaces": [["type": "network", "path": "/nonexistent/ns"]], "cgroupsPath": cgroup] },
             "cannot start container process: join network namespace /nonexistent/ns: no such file or directory"),
            ({ _ in ["cgroupsPath": "a:b:c"] }, ""),
        ]
        for (index, testCase) in cases.enumerated() where !testCase.message.isEmpty {
            let bundle = try harness.bundle("b\(index)", args: ["/app.wasm"]) { config in
                config["linux"] = testCase.configure(config)
            }
            let outcome = try harness.run(["create", "-b", bundle, "bad"], stdoutPath: harness.work + "/out")
            #expect(outcome.exit == .exited(1))
            #expect(outcome.stderr == "mewz-runtime: \(testCase.message)\n")
            #expect(!harness.containerDirectoryExists("bad"))
            #expect(harness.leftoverProcesses().isEmpty)
            #expect(harness.cgroupDirectories(cgroup).isEmpty, "\(harness.cgroupDirectories(cgroup))")
        }
        let systemd = try harness.bundle("s", args: ["/app.wasm"]) { config in config["linux"] = ["cgroupsPath": "/x/y"] }
        let refused = try harness.run(["--systemd-cgroup", "create", "-b", systemd, "bad"], stdoutPath: harness.work + "/out")
        #expect(refused.stderr == "mewz-runtime: linux.cgroupsPath \"/x/y\" must have the form \"slice:prefix:name\" with --systemd-cgroup\n")
        #expect(!harness.containerDirectoryExists("bad"))
    }
}
