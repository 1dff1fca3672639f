import Foundation
import Testing
@testable import OCI

/// `update`: its command line, docker's memory sizes, and the writes into a cgroup.
@Suite struct CgroupUpdateTests: CommandLineParsing {
    @Test func resourcesDocumentWinsOverFlags() throws {
        #expect(try parse("update --resources=- c1") == .command(GlobalOptions(), .update(UpdateOptions(id: "c1", source: .standardInput))))
        #expect(try parse("update -r /r.json --pids-limit 5 c1")
                    == .command(GlobalOptions(), .update(UpdateOptions(id: "c1", source: .file("/r.json")))))
    }

    @Test func runcFlags() throws {
        var expected = Spec.Resources()
        expected.cpuPeriod = 100_000
        expected.cpuQuota = -1
        expected.cpuShares = 512
        expected.cpusetCPUs = "0-1"
        expected.memoryLimit = 512 << 20
        expected.memorySwap = -1
        expected.memoryReservation = 1536
        expected.pidsLimit = 30
        let line = "update --cpu-period 100000 --cpu-quota=-1 --cpu-share 512 --cpuset-cpus 0-1 --memory 512m "
            + "--memory-swap -1 --memory-reservation 1.5k --pids-limit 30 c1"
        #expect(try parse(line) == .command(GlobalOptions(), .update(UpdateOptions(id: "c1", source: .flags(expected)))))
        #expect(try parse("update c1") == .command(GlobalOptions(), .update(UpdateOptions(id: "c1", source: .flags(Spec.Resources())))))
    }

    @Test(arguments: [
        ("update --cpu-quota 1.5 c1", "invalid value \"1.5\" for --cpu-quota"),
        ("update --cpu-share -2 c1", "invalid value \"-2\" for --cpu-share"),
        ("update --memory 12x c1", "invalid value \"12x\" for --memory"),
        ("update --io-weight 10 c1", "flag provided but not defined: -io-weight"),
        ("update", "\"update\" requires exactly 1 argument(s)"),
    ])
    func badFlags(line: String, message: String) {
        #expect(refusal(line)?.message == message)
    }

    /// runc's flags for limits mewz-runtime does not apply parse (a fallback runtime's container
    /// gets them) and are carried to be refused for a Wasm container.
    @Test func runcOnlyFlagsAreCarried() throws {
        guard case .command(_, .update(let options)) = try parse("update --blkio-weight 10 --cpu-rt-runtime=5 -r - c1") else {
            Issue.record("not an update")
            return
        }
        #expect(options.runcOnlyFlags == ["blkio-weight", "cpu-rt-runtime"])
        #expect(options.source == .standardInput)
    }

    @Test(arguments: [("0", 0), ("100", 100), ("1k", 1024), ("1K", 1024), ("512m", 512 << 20), ("1g", 1 << 30),
                      ("1GiB", 1 << 30), ("2 GB", 2 << 30), ("1.5k", 1536), ("7b", 7), ("1t", 1 << 40), ("-1", -1)]
          as [(String, Int64)])
    func memorySizes(text: String, bytes: Int64) {
        #expect(MemorySize.bytes(text) == bytes)
    }

    @Test(arguments: ["", "m", "-2", "1.", ".5", "1..2", "1.2.3", "1x", "1mm", "99999999999p", "١"])
    func badMemorySizes(text: String) {
        #expect(MemorySize.bytes(text) == nil)
    }

    /// The memory limit is never written, a pids limit of 0 changes nothing, and on v2 a quota
    /// keeps the current period and swap.max is counted from the current limit.
    @Test func writes() {
        var resources = Spec.Resources()
        resources.memoryLimit = 64 << 20
        resources.memorySwap = 96 << 20
        resources.pidsLimit = 0
        resources.cpuQuota = 20_000
        #expect(CgroupLimits.update(resources, unified: false, currentMemoryLimit: 64 << 20) == [
            .init("memory", "memory.memsw.limit_in_bytes", "100663296"),
            .init("cpu", "cpu.cfs_quota_us", "20000"),
        ])
        #expect(CgroupLimits.update(resources, unified: true, currentMemoryLimit: 64 << 20) == [
            .init("cpu", "cpu.max", "20000"),
            .init("memory", "memory.swap.max", "33554432"),
        ])
        resources.cpuPeriod = 50_000
        resources.pidsLimit = -1
        #expect(CgroupLimits.update(resources, unified: true, currentMemoryLimit: nil) == [
            .init("pids", "pids.max", "max"),
            .init("cpu", "cpu.max", "20000 50000"),
        ])
    }

    /// On a unified cgroup faked in a directory: a different memory limit is refused before
    /// anything is written; the same one (rounded to pages, as the kernel keeps it) is not.
    @Test func updateOfAFakeUnifiedCgroup() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-up-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func file(_ name: String) -> String { (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "" }
        try "134217728\n".write(toFile: directory + "/memory.max", atomically: false, encoding: .utf8)
        for name in ["cpu.max", "pids.max"] { try "".write(toFile: directory + "/" + name, atomically: false, encoding: .utf8) }
        let cgroup = ContainerCgroup(directories: ["unified": directory])

        var resources = Spec.Resources()
        resources.cpuQuota = 30_000
        resources.memoryLimit = 256 << 20
        #expect(throws: OCIError.memoryLimitFixed(current: 134_217_728, requested: 256 << 20)) { try cgroup.update(resources) }
        #expect(file("cpu.max").isEmpty)

        resources.memoryLimit = 134_217_728 + 100  // the kernel keeps 134217728
        resources.pidsLimit = 7
        try cgroup.update(resources)
        #expect(file("cpu.max") == "30000")
        #expect(file("pids.max") == "7")
        #expect(file("memory.max") == "134217728\n")

        #expect(!FileManager.default.fileExists(atPath: directory + "/cgroup.subtree_control"))  // nothing to enable

        try "max\n".write(toFile: directory + "/memory.max", atomically: false, encoding: .utf8)
        resources.memoryLimit = -1
        try cgroup.update(resources)
        resources.memoryLimit = 1 << 30
        #expect(throws: OCIError.memoryLimitFixed(current: nil, requested: 1 << 30)) { try cgroup.update(resources) }
    }

    /// v2: a controller create did not enable (it wrote no limit of it) is enabled from the
    /// mount point down to the leaf's parent before its file is written.
    @Test func updateEnablesAMissingV2Controller() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-up-\(UUID().uuidString)").path
        let leaf = base + "/pods/c1"
        try FileManager.default.createDirectory(atPath: leaf, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: false, encoding: .utf8) }
        for directory in [base, base + "/pods"] {
            try write("cpu memory pids\n", directory + "/cgroup.controllers")
            try write("", directory + "/cgroup.subtree_control")
        }
        try write("pids\n", leaf + "/cgroup.controllers")
        try write("", leaf + "/cpu.max")
        let cgroup = ContainerCgroup(directories: ["unified": leaf])
        var resources = Spec.Resources()
        resources.cpuQuota = 40_000
        try cgroup.update(resources, hierarchies: { [CgroupHierarchy(controllers: [], mountPoint: base)] })
        #expect(try String(contentsOfFile: base + "/cgroup.subtree_control", encoding: .utf8) == "+cpu")
        #expect(try String(contentsOfFile: base + "/pods/cgroup.subtree_control", encoding: .utf8) == "+cpu")
        #expect(!FileManager.default.fileExists(atPath: leaf + "/cgroup.subtree_control"))
        #expect(try String(contentsOfFile: leaf + "/cpu.max", encoding: .utf8) == "40000")

        // A new period alone keeps the quota (v2 has both in cpu.max).
        var period = Spec.Resources()
        period.cpuPeriod = 50_000
        try cgroup.update(period, hierarchies: { [] })
        #expect(try String(contentsOfFile: leaf + "/cpu.max", encoding: .utf8) == "40000 50000")
        try write("max 100000\n", leaf + "/cpu.max")
        try cgroup.update(period, hierarchies: { [] })
        #expect(try String(contentsOfFile: leaf + "/cpu.max", encoding: .utf8).hasPrefix("max 50000"))
    }
}
