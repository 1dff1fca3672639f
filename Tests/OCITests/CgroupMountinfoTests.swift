import TestSupport
import Testing
@testable import OCI

/// CgroupHierarchy.parse scans bytes by index; these check it against a plain reference, the
/// split-based parser it replaced, on the real files of this host and on random lines built
/// from the pieces a mountinfo line can have.
@Suite struct CgroupMountinfoTests {
    @Test func thisHostsFilesParseAsTheReferenceDoes() throws {
        let mountinfo = try FileIO.readFile("/proc/self/mountinfo", limit: 4 << 20)
        let own = try FileIO.readFile("/proc/self/cgroup", limit: 1 << 20)
        let parsed = CgroupHierarchy.parse(mountinfo: mountinfo, procCgroup: own)
        #expect(parsed == Self.reference(mountinfo: String(decoding: mountinfo, as: UTF8.self),
                                         procCgroup: String(decoding: own, as: UTF8.self)))
    }

    @Test func edgeCases() {
        let mountinfo = """
            1 2 0:1 / /a rw - cgroup cgroup rw,cpu
            2 2 0:2 / /b rw shared:1 master:2 - cgroup cgroup rw,memory,bogus
            3 2 0:3 / /c rw - cgroup
            4 - 0:4 / /d rw - cgroup cgroup rw,pids
            4 2 0:4 / /k - cgroup cgroup rw,blkio
            5 2 0:5 /x /e\\040f  rw   -   cgroup   cgroup   rw,name=systemd
            6 2 0:6 / /g rw - cgroup cgroup rw,cpu
            7 2 0:7 / /h rw - cgroupfs cgroup rw,devices
            8 2 0:8 / /i rw - cgroup2 cgroup2 rw

            9 2 0:9 / /j rw - cgroup cgroup rw
            """
        let own = "1:cpu:/one\n2:memory:/m:with:colons\nbad line\n3:cpu:/later\n0::/u\n"
        let parsed = CgroupHierarchy.parse(mountinfo: mountinfo, procCgroup: own)
        #expect(parsed.map(\.key) == ["cpu", "memory", "name=systemd", "unified"])
        #expect(parsed.map(\.mountPoint) == ["/a", "/b", "/e f", "/i"])
        #expect(parsed.map(\.ownPath) == ["/later", "/m:with:colons", "/", "/u"])
        #expect(parsed[2].mountRoot == "/x")
        #expect(parsed == Self.reference(mountinfo: mountinfo, procCgroup: own))
    }

    @Test func randomLinesParseAsTheReferenceDoes() {
        var generator = SplitMix64(seed: 0x6367_726f_7570)
        let words = ["-", "cgroup", "cgroup2", "tmpfs", "rw", "/", "/sys/fs/cgroup/x", "/a\\040b", "shared:3",
                     "0:42", "7", "rw,cpu,cpuacct", "rw,memory", "name=systemd", "rw,name=x,bogus", "", "a:b:c"]
        let controllerSets = ["", "cpu", "cpu,cpuacct", "memory", "name=systemd", "bogus", "pids,rw"]
        for _ in 0..<400 {
            var lines: [String] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                if Bool.random(using: &generator) {
                    let fields = (0..<Int.random(in: 0...14, using: &generator)).map { _ in
                        words.randomElement(using: &generator)!
                    }
                    lines.append(fields.joined(separator: Bool.random(using: &generator) ? " " : "  "))
                } else {
                    let type = ["cgroup", "cgroup2", "cgroupx"].randomElement(using: &generator)!
                    let options = ["rw", "rw,cpu", "rw,memory,bogus", "name=systemd", "rw,pids,cpu"].randomElement(using: &generator)!
                    let optional = (0..<Int.random(in: 0...2, using: &generator)).map { "shared:\($0)" }
                    lines.append((["1", "2", "0:3", "/", "/m\(Int.random(in: 0...3, using: &generator))", "rw"]
                                  + optional + ["-", type, "cgroup", options]).joined(separator: " "))
                }
            }
            let own = (0..<Int.random(in: 0...5, using: &generator)).map { index in
                "\(index):\(controllerSets.randomElement(using: &generator)!):/p\(Int.random(in: 0...9, using: &generator))"
            }
            let mountinfo = lines.joined(separator: "\n"), procCgroup = own.joined(separator: "\n")
            #expect(CgroupHierarchy.parse(mountinfo: mountinfo, procCgroup: procCgroup)
                    == Self.reference(mountinfo: mountinfo, procCgroup: procCgroup), "\(mountinfo)\n--\n\(procCgroup)")
        }
    }

    /// The parser before the byte scan, kept as the reference: fields by split.
    static func reference(mountinfo: String, procCgroup: String) -> [CgroupHierarchy] {
        var ownPaths: [String: String] = [:]
        for line in procCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",").map(String.init).sorted()
            ownPaths[controllers.isEmpty ? "unified" : controllers.joined(separator: ",")] = String(fields[2])
        }
        var result: [CgroupHierarchy] = []
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count >= separator + 4 else { continue }
            let type = fields[separator + 1]
            guard type == "cgroup2" || type == "cgroup" else { continue }
            var controllers: [String] = []
            if type == "cgroup" {
                controllers = fields[separator + 3].split(separator: ",").map(String.init).filter {
                    CgroupHierarchy.knownControllers.contains($0) || $0.hasPrefix("name=")
                }.sorted()
                guard !controllers.isEmpty else { continue }
            }
            var hierarchy = CgroupHierarchy(controllers: controllers, mountPoint: CgroupHierarchy.unescape(String(fields[4])),
                                            mountRoot: CgroupHierarchy.unescape(String(fields[3])))
            guard !result.contains(where: { $0.key == hierarchy.key }) else { continue }
            hierarchy.ownPath = ownPaths[hierarchy.key] ?? "/"
            result.append(hierarchy)
        }
        return result
    }
}
