import Foundation
import Testing
@testable import OCI

/// The pure cgroup layer: mountinfo and /proc/self/cgroup, cgroupsPath in both forms, and the
/// limit files of v1 and v2.
@Suite struct CgroupModelTests {
    static let hybridMountinfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime shared:9 - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        50 23 0:32 /x /mnt/memory\\040copy rw - cgroup cgroup rw,memory
        60 23 8:1 / / rw - ext4 /dev/vda rw
        """
    static let hybridProcCgroup = """
        9:name=systemd:/
        4:memory:/session/abc
        1:cpu,cpuacct:/
        0::/
        """

    @Test func hybridHierarchies() {
        let hierarchies = CgroupHierarchy.parse(mountinfo: CgroupModelTests.hybridMountinfo,
                                                procCgroup: CgroupModelTests.hybridProcCgroup)
        #expect(hierarchies.map(\.key) == ["cpu,cpuacct", "memory", "name=systemd", "unified"])
        #expect(hierarchies.map(\.mountPoint)
                == ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"])
        #expect(hierarchies[1].ownPath == "/session/abc")
        #expect(hierarchies[3].isUnified)
    }

    @Test func unifiedOnlyHost() {
        let hierarchies = CgroupHierarchy.parse(
            mountinfo: "25 20 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate",
            procCgroup: "0::/user.slice/session-1.scope\n")
        #expect(hierarchies == [CgroupHierarchy(controllers: [], mountPoint: "/sys/fs/cgroup", mountRoot: "/",
                                                ownPath: "/user.slice/session-1.scope")])
    }

    @Test func mountOfASubtree() {
        let hierarchy = CgroupHierarchy(controllers: ["memory"], mountPoint: "/m", mountRoot: "/pod")
        #expect(hierarchy.directory(of: "/pod/c1") == "/m/c1")
        #expect(hierarchy.directory(of: "/other/c1") == nil)
        #expect(CgroupHierarchy.unescape("/mnt/memory\\040copy") == "/mnt/memory copy")
    }

    @Test(arguments: [
        (nil, false, CgroupPath.relative("c1")),
        ("", false, .relative("c1")),
        ("/libpod_parent/libpod-c1", false, .absolute("/libpod_parent/libpod-c1")),
        ("kubepods/pod1//c1/", false, .relative("kubepods/pod1/c1")),
        ("/a/../../b", false, .absolute("/b")),  // as runc's CleanPath: ".." stops at the root
        ("machine.slice:libpod:c1", true, .absolute("/machine.slice/libpod-c1.scope")),
        ("kubepods-besteffort-pod1.slice:cri-containerd:c1", true,
         .absolute("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-c1.scope")),
        (":mewz:c1", true, .absolute("/system.slice/mewz-c1.scope")),
        (nil, true, .absolute("/system.slice/mewz-c1.scope")),
        ("-.slice::c1.slice", true, .absolute("/c1.slice")),
        ("user.slice::c1", true, .absolute("/user.slice/c1.scope")),
    ] as [(String?, Bool, CgroupPath)])
    func cgroupsPaths(given: String?, systemd: Bool, expected: CgroupPath) throws {
        #expect(try CgroupPath.resolve(given, id: "c1", systemd: systemd) == expected)
    }

    @Test(arguments: [
        ("/", false, "linux.cgroupsPath \"/\" is the root cgroup"),
        ("../x", false, "linux.cgroupsPath \"../x\" leaves the hierarchy"),
        (".", false, "linux.cgroupsPath \".\" is the caller's own cgroup"),
        ("a/..", false, "linux.cgroupsPath \"a/..\" is the caller's own cgroup"),
        ("/a/b", true, "linux.cgroupsPath \"/a/b\" must have the form \"slice:prefix:name\" with --systemd-cgroup"),
        ("machine:libpod:c1", true, "linux.cgroupsPath \"machine:libpod:c1\" \"machine\" is not a systemd slice name"),
        ("a--b.slice:p:c1", true, "linux.cgroupsPath \"a--b.slice:p:c1\" \"a--b.slice\" is not a systemd slice name"),
        ("a.slice:p:", true, "linux.cgroupsPath \"a.slice:p:\" has an empty or invalid unit name"),
    ] as [(String, Bool, String)])
    func badCgroupsPaths(given: String, systemd: Bool, message: String) {
        var failure: String?
        do {
            _ = try CgroupPath.resolve(given, id: "c1", systemd: systemd)
        } catch {
            failure = error.message
        }
        #expect(failure == message)
    }

    @Test func relativePathsAreBelowTheOwnCgroup() {
        #expect(CgroupPath.relative("c1").path(ownPath: "/session/abc") == "/session/abc/c1")
        #expect(CgroupPath.absolute("/x/c1").path(ownPath: "/session/abc") == "/x/c1")
    }

    static var resources: Spec.Resources {
        var resources = Spec.Resources()
        resources.memoryLimit = 64 << 20
        resources.memoryReservation = 32 << 20
        resources.memorySwap = 96 << 20
        resources.pidsLimit = 10
        resources.cpuShares = 512
        resources.cpuQuota = 50_000
        resources.cpuPeriod = 100_000
        resources.cpusetCPUs = "0"
        return resources
    }

    @Test func limitsOnV1() {
        #expect(CgroupLimits.v1(CgroupModelTests.resources) == [
            .init("memory", "memory.limit_in_bytes", "67108864"),
            .init("memory", "memory.soft_limit_in_bytes", "33554432"),
            .init("memory", "memory.memsw.limit_in_bytes", "100663296"),
            .init("pids", "pids.max", "10"),
            .init("cpu", "cpu.shares", "512"),
            .init("cpu", "cpu.cfs_period_us", "100000"),
            .init("cpu", "cpu.cfs_quota_us", "50000"),
            .init("cpuset", "cpuset.cpus", "0"),
        ])
    }

    @Test func limitsOnV2() {
        #expect(CgroupLimits.v2(CgroupModelTests.resources) == [
            .init("memory", "memory.max", "67108864"),
            .init("memory", "memory.low", "33554432"),
            .init("memory", "memory.swap.max", "33554432"),
            .init("pids", "pids.max", "10"),
            .init("cpu", "cpu.weight", "20"),
            .init("cpu", "cpu.max", "50000 100000"),
            .init("cpuset", "cpuset.cpus", "0"),
        ])
    }

    @Test func unlimitedValues() {
        var resources = Spec.Resources()
        resources.memoryLimit = -1
        resources.pidsLimit = 0
        resources.cpuQuota = -1
        #expect(CgroupLimits.v1(resources).map(\.value) == ["-1", "max", "-1"])
        #expect(CgroupLimits.v2(resources).map(\.value) == ["max", "max", "max 100000"])
        #expect(CgroupLimits.v1(Spec.Resources()).isEmpty)
    }

    @Test(arguments: [(2, 1), (1024, 39), (262_144, 10_000), (1, 1), (1 << 30, 10_000)] as [(UInt64, UInt64)])
    func sharesToWeight(shares: UInt64, weight: UInt64) {
        #expect(CgroupLimits.weight(shares: shares) == weight)
    }

    /// A v2 hierarchy faked in a temporary directory: create enables the controllers on the way
    /// down, writes the limits into the leaf, and removes only what it made when one fails.
    @Test func createOnAFakeUnifiedHierarchy() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-cg-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.createDirectory(atPath: base + "/pods", withIntermediateDirectories: true)
        for directory in [base, base + "/pods"] {
            try "cpu memory pids\n".write(toFile: directory + "/cgroup.controllers", atomically: false, encoding: .utf8)
            try "".write(toFile: directory + "/cgroup.subtree_control", atomically: false, encoding: .utf8)
        }
        let hierarchy = CgroupHierarchy(controllers: [], mountPoint: base, ownPath: "/")
        var resources = Spec.Resources()
        resources.pidsLimit = 5
        // cgroupfs makes a leaf's files itself; here the leaf is a plain directory, so the
        // first limit write fails (no pids.max) and the made leaf is removed again.
        #expect(throws: OCIError.self) {
            try ContainerCgroup.create(.absolute("/pods/c1"), resources: resources, hierarchies: [hierarchy])
        }
        #expect(!FileManager.default.fileExists(atPath: base + "/pods/c1"))
        #expect(FileManager.default.fileExists(atPath: base + "/pods"))
        #expect(try String(contentsOfFile: base + "/cgroup.subtree_control", encoding: .utf8) == "+pids")
        #expect(try String(contentsOfFile: base + "/pods/cgroup.subtree_control", encoding: .utf8) == "+pids")

        let made = try ContainerCgroup.create(.absolute("/pods/c2"), resources: Spec.Resources(), hierarchies: [hierarchy])
        #expect(made.directories == ["unified": base + "/pods/c2"])
        #expect(made.join == CgroupJoin(unifiedDirectory: base + "/pods/c2", threadFiles: []))
        try made.remove()
        #expect(!FileManager.default.fileExists(atPath: base + "/pods/c2"))
    }

    /// A hybrid host: the child is forked into the v2 directory and writes the v1 `tasks`
    /// files (no grace-period wait); only when that fork was not possible does it also write
    /// the v2 cgroup.procs.
    @Test func joinSplitsTheHierarchies() {
        let cgroup = ContainerCgroup(directories: [
            "memory": "/sys/fs/cgroup/memory/c1", "unified": "/sys/fs/cgroup/unified/c1",
            "cpu,cpuacct": "/sys/fs/cgroup/cpu,cpuacct/c1", "name=systemd": "/sys/fs/cgroup/systemd/c1",
        ])
        let join = cgroup.join
        #expect(join.unifiedDirectory == "/sys/fs/cgroup/unified/c1")
        let tasks = ["/sys/fs/cgroup/cpu,cpuacct/c1/tasks", "/sys/fs/cgroup/memory/c1/tasks",
                     "/sys/fs/cgroup/systemd/c1/tasks"]
        #expect(join.filesToWrite(forkedIntoUnified: true) == tasks)
        #expect(join.filesToWrite(forkedIntoUnified: false) == tasks + ["/sys/fs/cgroup/unified/c1/cgroup.procs"])
        let v1Only = ContainerCgroup(directories: ["memory": "/sys/fs/cgroup/memory/c1"]).join
        #expect(v1Only.unifiedDirectory == nil)
        #expect(v1Only.filesToWrite(forkedIntoUnified: false) == ["/sys/fs/cgroup/memory/c1/tasks"])
    }
}
