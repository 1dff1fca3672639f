import Foundation
import Glibc
import Testing

/// `update` through the binary, on a created container's real cgroup.
extension LifecycleTests {
    @Test func updateChangesLimitsButNotTheMemoryLimit() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let megabytes128 = 128 << 20
        let bundle = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", "sleep-forever"], memoryLimit: megabytes128)
        let cgroupsPath = try Self.addLimits(bundle, ["cpu": ["quota": 50_000, "period": 100_000], "pids": ["limit": 20]])
        let (monitor, reaper) = try createReaped(runtime, bundle: bundle, id: "u")
        let limits = CgroupLimitFiles(path: cgroupsPath)
        #expect(limits.cpuQuota == "50000")
        #expect(limits.pids == "20")

        // runc's flags.
        let flags = try runtime.run(["update", "--cpu-quota", "20000", "--pids-limit", "30", "u"])
        #expect(flags.status == 0, "update: \(flags.stderr)")
        #expect(limits.cpuQuota == "20000")
        #expect(limits.pids == "30")

        // A different memory limit is refused before anything is written.
        let document = runtime.scratch.appendingPathComponent("resources.json")
        try Data(#"{"cpu": {"quota": 70000}, "memory": {"limit": 268435456}}"#.utf8).write(to: document)
        let memory = try runtime.run(["update", "--resources", document.path, "u"])
        #expect(memory.status == 1)
        #expect(memory.stderr == "mewz-runtime: update: the memory limit cannot change after create (the VM's memory is "
                    + "sized from it): it is 134217728 bytes, asked 268435456 bytes\n")
        #expect(limits.cpuQuota == "20000")

        // The same limit, as Kubernetes sends it with a CPU resize, on standard input.
        let resize = #"{"memory": {"limit": 134217728}, "cpu": {"quota": -1, "shares": 256}}"#
        let stdin = try runtime.run(["update", "--resources", "-", "u"], environment: ["RESOURCES": resize],
                                    wrapper: ["/bin/sh", "-c", "printf '%s' \"$RESOURCES\" | exec \"$@\"", "sh"])
        #expect(stdin.status == 0, "update -r -: \(stdin.stderr)")
        #expect(limits.cpuQuota == "-1" || limits.cpuQuota == "max")
        #expect(limits.cpuShares == "256" || limits.cpuShares == "10")  // v2: cpu.weight 1 + (256 - 2) * 9999 / 262142

        let broken = try runtime.run(["update", "--resources", "-", "u"], environment: ["RESOURCES": #"{"cpu": "#],
                                     wrapper: ["/bin/sh", "-c", "printf '%s' \"$RESOURCES\" | exec \"$@\"", "sh"])
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("mewz-runtime: standard input: "), "\(broken.stderr)")
        #expect(broken.stderr.filter { $0 == "\n" }.count == 1)
        #expect(try runtime.run(["update", "--cpu-quota", "x", "u"]).stderr == "mewz-runtime: invalid value \"x\" for --cpu-quota\n")

        // Once stopped, as runc.
        #expect(try runtime.run(["kill", "u", "KILL"]).status == 0)
        #expect(reaper.wait(seconds: 10), "monitor \(monitor) survived SIGKILL")
        _ = try waitUntilStopped(runtime, "u")
        let stopped = try runtime.run(["update", "--cpu-quota", "10000", "u"])
        #expect(stopped.status == 1)
        #expect(stopped.stderr == "mewz-runtime: container not running\n")
        #expect(try runtime.run(["delete", "u"]).status == 0)
        #expect(runtime.leftoverState().isEmpty)
    }

    /// Adds `resources` to the bundle's linux.resources; returns its linux.cgroupsPath.
    static func addLimits(_ bundle: String, _ resources: [String: Any]) throws -> String {
        let url = URL(fileURLWithPath: bundle).appendingPathComponent("config.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        var linux = config["linux"] as? [String: Any] ?? [:]
        var merged = linux["resources"] as? [String: Any] ?? [:]
        merged.merge(resources) { _, new in new }
        linux["resources"] = merged
        config["linux"] = linux
        try JSONSerialization.data(withJSONObject: config).write(to: url)
        return try #require(linux["cgroupsPath"] as? String)
    }
}
