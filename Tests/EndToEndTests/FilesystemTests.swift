import Foundation
import Testing

/// The guest's read-only filesystem through the built binary: the bundle's rootfs as the
/// preopen "/", process.cwd as ".", the errors of a read-only mount, the preopen annotation.
/// oci/examples/files does one OPERATION:PATH per argument through wasi-libc.
@Suite(.needsKVM)
struct FilesystemTests {
    /// A copy of the files example with its args, and optionally cwd and annotations, replaced.
    func bundle(_ runtime: Runtime, _ operations: [String], cwd: String? = nil,
                annotations: [String: String]? = nil) throws -> String {
        let path = try runtime.bundle("files", args: ["/files.wasm"] + operations)
        let configURL = URL(fileURLWithPath: path + "/config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any],
              var process = config["process"] as? [String: Any]
        else { throw TestFailure("bad example config") }
        if let cwd { process["cwd"] = cwd }
        config["process"] = process
        if let annotations { config["annotations"] = annotations }
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        return path
    }

    func run(_ operations: [String], cwd: String? = nil, annotations: [String: String]? = nil,
             prepare: (String) throws -> Void = { _ in }) throws -> Runtime.Result {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let path = try bundle(runtime, operations, cwd: cwd, annotations: annotations)
        try prepare(path)
        return try runtime.run(["run", "--bundle", path, "files-\(UUID().uuidString.prefix(8))"])
    }

    @Test func readsTheRootfs() throws {
        let result = try run([
            "cat:data.txt", "cat:/etc/motd", "ls:/dir", "ls:dir/sub", "stat:data.txt", "stat:/dir",
            "stat:/app/motd", "readlink:/app/motd", "cat:/app/motd", "cat:app/top", "ls:/app/dirlink",
            "cat:missing", "ls:/data.txt", "cat:data.txt/", "readlink:data.txt",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            cat data.txt: top data
            cat /etc/motd: welcome
            ls /dir: . .. a b sub
            ls dir/sub: . .. c
            stat data.txt: file 9
            stat /dir: directory 3
            stat /app/motd: symlink 9
            readlink /app/motd: /etc/motd
            cat /app/motd: welcome
            cat app/top: top data
            ls /app/dirlink: . .. a b sub
            cat missing: No such file or directory
            ls /data.txt: Not a directory
            cat data.txt/: Not a directory
            readlink data.txt: Invalid argument

            """)
    }

    /// Every change to the tree fails as on a read-only mount.
    @Test func writesFailAsOnAReadOnlyMount() throws {
        let result = try run(["create:/new.txt", "create:data.txt", "mkdir:/newdir", "mkdir:/dir",
                              "rm:/data.txt", "rm:/missing", "create:/missing/x", "cat:data.txt"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            create /new.txt: Read-only file system
            create data.txt: Read-only file system
            mkdir /newdir: Read-only file system
            mkdir /dir: File exists
            rm /data.txt: Read-only file system
            rm /missing: Read-only file system
            create /missing/x: No such file or directory
            cat data.txt: top data

            """)
    }

    /// A file bigger than any buffer arrives whole (the ROFS's data is one mapped extent).
    @Test func readsALargeFileWhole() throws {
        var bytes = [UInt8](repeating: 0, count: 3 << 20 | 12345)
        var state: UInt64 = 0x2545F4914F6CDD1D
        for index in bytes.indices {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        let result = try run(["sum:/big.bin"]) { bundle in
            try Data(bytes).write(to: URL(fileURLWithPath: bundle + "/rootfs/big.bin"))
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "sum /big.bin: \(bytes.count) \(String(format: "%016llx", hash))\n")
    }

    /// With a cwd, wasi-libc gives relative paths to the "." preopen (and absolute ones too,
    /// as it strips their "/"); ".." from it reaches the rest of the rootfs.
    @Test func cwdIsThePreopenDot() throws {
        let result = try run(["cat:data.txt", "cat:../data.txt", "cat:motd", "cat:/etc/motd"], cwd: "/app")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            cat data.txt: app data
            cat ../data.txt: top data
            cat motd: welcome
            cat /etc/motd: No such file or directory

            """)
    }

    @Test func cwdOutsideTheRootfsEndsTheContainer() throws {
        let result = try run(["cat:data.txt"], cwd: "/nope")
        #expect(result.status != 0)
        #expect(result.stdout == "")
        #expect(result.stderr.contains("process.cwd is not a directory of the rootfs"), "\(result.stderr)")
    }

    /// preopen=none: no filesystem, nothing preopened (fd 3 does not exist), so wasi-libc finds
    /// no preopen for any path (ENOTCAPABLE).
    @Test func preopenNoneGivesNoFilesystem() throws {
        let result = try run(["cat:data.txt", "ls:/"], annotations: ["io.github.mewz-runtime.preopen": "none"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "cat data.txt: Capabilities insufficient\nls /: Capabilities insufficient\n")
        let explicit = try run(["cat:data.txt"], annotations: ["io.github.mewz-runtime.preopen": "rootfs"])
        #expect(explicit.stdout == "cat data.txt: top data\n")
    }

    @Test func unknownPreopenValueIsOneLine() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let path = try bundle(runtime, ["cat:data.txt"], annotations: ["io.github.mewz-runtime.preopen": "yes"])
        let result = try runtime.run(["run", "--bundle", path, "bad-preopen"])
        #expect(result.status != 0)
        #expect(result.stdout == "")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("mewz-runtime: "))
        #expect(result.stderr.contains("io.github.mewz-runtime.preopen"))
        #expect(result.stderr.contains("\"yes\" is neither \"rootfs\" nor \"none\""))
        #expect(runtime.leftoverState().isEmpty)
    }
}
