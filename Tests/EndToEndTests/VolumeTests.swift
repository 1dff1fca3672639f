import Foundation
import Glibc
import Testing

/// config.json mounts through the built binary (oci/examples/volume): bind mounts as writable
/// preopens served by the monitor, read-only ones, nesting, confinement of every path beneath
/// the host directory, durability of fsynced data, and bad mounts refused before anything is
/// created.
@Suite(.needsKVM)
struct VolumeTests {
    /// The volume example with `operations` and `mounts` (each [destination, source, options...];
    /// source "tmpfs": a tmpfs mount).
    func bundle(_ runtime: Runtime, _ operations: [String], mounts: [[String]], cwd: String? = nil,
                program: String = "/volume.wasm") throws -> String {
        let path = try runtime.bundle("volume", args: [program] + operations)
        let configURL = URL(fileURLWithPath: path + "/config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any],
              var process = config["process"] as? [String: Any]
        else { throw TestFailure("bad example config") }
        if let cwd { process["cwd"] = cwd }
        config["process"] = process
        config["mounts"] = mounts.map { mount -> [String: Any] in
            ["destination": mount[0], "type": mount[1] == "tmpfs" ? "tmpfs" : "bind", "source": mount[1],
             "options": Array(mount.dropFirst(2))]
        }
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        return path
    }

    func directory(_ runtime: Runtime, _ name: String) throws -> String {
        let path = runtime.scratch.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func run(_ runtime: Runtime, _ operations: [String], mounts: [[String]], cwd: String? = nil) throws -> Runtime.Result {
        let path = try bundle(runtime, operations, mounts: mounts, cwd: cwd)
        return try runtime.run(["run", "--bundle", path, "volume-\(UUID().uuidString.prefix(8))"])
    }

    @Test func writesReachTheHostDirectory() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data")
        let mounts = [["/data", data, "rbind", "rw"]]
        let first = try run(runtime, ["append:/data/log.txt:one", "mkdir:/data/sub", "append:/data/sub/x:inner"],
                            mounts: mounts)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try run(runtime, ["append:/data/log.txt:two", "cat:/data/log.txt", "ls:/data",
                                       "rename:/data/sub/x:/data/y", "rmdir:/data/sub", "rm:/data/missing"],
                             mounts: mounts)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == """
            append /data/log.txt: ok
            cat /data/log.txt: one|two
            ls /data: . .. log.txt sub
            rename /data/sub/x: ok
            rmdir /data/sub: ok
            rm /data/missing: No such file or directory

            """)
        #expect(try String(contentsOfFile: data + "/log.txt", encoding: .utf8) == "one\ntwo\n")
        #expect(try String(contentsOfFile: data + "/y", encoding: .utf8) == "inner\n")
        #expect(!FileManager.default.fileExists(atPath: data + "/sub"))
        #expect(runtime.leftoverState().isEmpty)
    }

    /// "ro" in the options: every change is EROFS, reads work, the host file is untouched.
    @Test func readOnlyBindMountRefusesWrites() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data")
        try "kept\n".write(toFile: data + "/log.txt", atomically: true, encoding: .utf8)
        let result = try run(runtime, ["append:/data/log.txt:more", "append:/data/new:x", "mkdir:/data/d",
                                       "rm:/data/log.txt", "cat:/data/log.txt"],
                             mounts: [["/data", data, "rbind", "ro"]])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            append /data/log.txt: Read-only file system
            append /data/new: Read-only file system
            mkdir /data/d: Read-only file system
            rm /data/log.txt: Read-only file system
            cat /data/log.txt: kept

            """)
        #expect(try String(contentsOfFile: data + "/log.txt", encoding: .utf8) == "kept\n")
    }

    /// A mount inside another takes the paths beneath it (the longest match); a rename between
    /// them is EXDEV, as across Linux mounts.
    @Test func nestedMountsResolveToTheLongestMatch() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let outer = try directory(runtime, "outer")
        let inner = try directory(runtime, "inner")
        let result = try run(runtime, ["append:/data/a:outer", "append:/data/cache/b:inner",
                                       "rename:/data/a:/data/cache/a"],
                             mounts: [["/data", outer], ["/data/cache", inner]])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("rename /data/a: Cross-device link"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: outer + "/a"))
        #expect(FileManager.default.fileExists(atPath: inner + "/b"))
        #expect(!FileManager.default.fileExists(atPath: outer + "/cache"))
    }

    /// No path leaves the host directory: not "..", not an absolute or relative symlink, not a
    /// /proc magic link; a fifo or a device node found there fails instead of blocking.
    @Test func pathsStayBeneathTheVolume() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "box/data")
        let secret = runtime.scratch.appendingPathComponent("box/secret.txt").path
        try "secret\n".write(toFile: secret, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: data + "/abs", withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: data + "/rel", withDestinationPath: "../secret.txt")
        try FileManager.default.createSymbolicLink(atPath: data + "/magic", withDestinationPath: "/proc/self/root/etc/hostname")
        try FileManager.default.createSymbolicLink(atPath: data + "/up", withDestinationPath: "..")
        #expect(mkfifo(data + "/fifo", 0o644) == 0)
        #expect(mknod(data + "/null", S_IFCHR | 0o666, dev_t(0x103)) == 0)
        let result = try run(runtime, ["cat:/data/../secret.txt", "cat:/data/abs", "cat:/data/rel", "cat:/data/magic",
                                       "cat:/data/up/secret.txt", "append:/data/rel:x", "cat:/data/fifo",
                                       "cat:/data/null", "append:/data/null:x"],
                             mounts: [["/data", data]])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("secret\n") && !result.stdout.contains(": secret"), "\(result.stdout)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "cat /data/../secret.txt: Capabilities insufficient",
            "cat /data/abs: Capabilities insufficient",
            "cat /data/rel: Capabilities insufficient",
            "cat /data/magic: Capabilities insufficient",
            "cat /data/up/secret.txt: Capabilities insufficient",
            "append /data/rel: Capabilities insufficient",
            "cat /data/fifo: No such device or address",
            "cat /data/null: No such device or address",
            "append /data/null: No such device or address",
        ], "\(result.stdout)")
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "secret\n")
    }

    /// What the guest wrote and fsynced is on the host once fsync returned, even when the
    /// monitor is killed with SIGKILL right after.
    @Test func fsyncedDataSurvivesSIGKILL() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data")
        let path = try bundle(runtime, ["append:/data/log.txt:durable", "sleep:60"], mounts: [["/data", data]])
        let id = "durable-\(UUID().uuidString.prefix(8))"
        let spawned = try SpawnedRuntime(runtime, bundle: path, id: id, stdin: .devNull)
        #expect(spawned.waitForStdout("append /data/log.txt: ok\n"))
        let killed = try runtime.run(["kill", id, "KILL"])
        #expect(killed.status == 0, "\(killed.stderr)")
        let outcome = spawned.wait()
        #expect(outcome.exitStatus != 0)
        #expect(try String(contentsOfFile: data + "/log.txt", encoding: .utf8) == "durable\n")
    }

    /// A closed file is closed on the host too before the guest waits: its close, which rides on
    /// the next file call, goes on its own when a sleep comes first.
    @Test func aClosedFileIsNotLeftOpenWhileTheGuestSleeps() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data")
        let path = try bundle(runtime, ["append:/data/log.txt:closed", "sleep:60"], mounts: [["/data", data]])
        let pidFile = runtime.scratch.appendingPathComponent("monitor.pid").path
        let id = "closed-\(UUID().uuidString.prefix(8))"
        let spawned = try SpawnedRuntime(runtime, bundle: path, id: id, stdin: .devNull, options: ["--pid-file", pidFile])
        defer {
            // The container (the monitor), not only `run`: nothing may outlive the test.
            _ = try? runtime.run(["kill", id, "KILL"])
            _ = spawned.wait(timeout: 20)
        }
        try #require(spawned.waitForStdout("append /data/log.txt: ok\n"))
        let monitor = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "") ?? 0
        try #require(monitor > 0)
        let file = URL(fileURLWithPath: data + "/log.txt").resolvingSymlinksInPath().path
        func monitorHasItOpen() -> Bool {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(monitor)/fd")) ?? []
            return entries.contains {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(monitor)/fd/\($0)")) == file
            }
        }
        // The guest prints, then sleeps: give it a few seconds to get there.
        let deadline = ContinuousClock.now + .seconds(10)
        while monitorHasItOpen(), ContinuousClock.now < deadline { usleep(20_000) }
        #expect(!monitorHasItOpen())
        #expect(spawned.stdoutSoFar == "append /data/log.txt: ok\n")
        #expect(kill(monitor, 0) == 0)  // still asleep: the close did not wait for the exit
    }

    /// A large write goes through write-behind (HostVolumes.writeBehindBytes): its
    /// sync_file_range passes the confined monitor's filter (oci/examples/volbench: 12 MiB in
    /// 1 MiB writes, fsync, unlink).
    @Test func aLargeWriteThenFsyncCompletes() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data")
        let path = try bundle(runtime, ["write", "/data/big.bin", "12"], mounts: [["/data", data]],
                              program: "/volbench.wasm")
        try FileManager.default.copyItem(
            atPath: Runtime.repositoryRoot.appendingPathComponent("oci/examples/volbench/rootfs/volbench.wasm").path,
            toPath: path + "/rootfs/volbench.wasm")
        let result = try runtime.run(["run", "--bundle", path, "big-\(UUID().uuidString.prefix(8))"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("write: 12582912 bytes in "), "\(result.stdout)")
        #expect(runtime.leftoverState().isEmpty)
    }

    @Test(arguments: [
        ("missing", "No such file or directory"),
        ("file", "is not a directory"),
    ])
    func badSourceIsOneLineAndLeavesNothing(source: String, message: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let file = runtime.scratch.appendingPathComponent("file").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let sourcePath = runtime.scratch.appendingPathComponent(source).path
        let result = try run(runtime, ["append:/data/x:y"], mounts: [["/data", sourcePath]])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("mount /data") && lines[0].contains(message), "\(result.stderr)")
        #expect(runtime.leftoverState().isEmpty)
    }

    @Test func tooManyMountsAreRefused() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data")
        let mounts = (0..<65).map { ["/m\($0)", data] }
        let result = try run(runtime, ["cat:/m0/x"], mounts: mounts)
        #expect(result.status != 0)
        #expect(result.stderr.contains("at most 64"), "\(result.stderr)")
        #expect(runtime.leftoverState().isEmpty)
    }

    /// A tmpfs mount is a RAM filesystem in the guest: writable, empty at start, read-only with
    /// "ro", its own mount (EXDEV to a host volume), never touching the host.
    @Test func tmpfsIsAWritableRAMFilesystem() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data")
        let result = try run(runtime, [
            "append:/tmp/a:one", "append:/tmp/a:two", "cat:/tmp/a", "mkdir:/tmp/d", "append:/tmp/d/x:in",
            "rename:/tmp/d/x:/tmp/y", "ls:/tmp", "rmdir:/tmp", "rmdir:/tmp/d", "rm:/tmp/a", "ls:/tmp",
            "cat:/tmp/../x", "append:/ro/x:1", "rename:/tmp/y:/data/y", "append:/data/z:host",
        ], mounts: [["/tmp", "tmpfs", "size=1m"], ["/ro", "tmpfs", "ro"], ["/data", data]])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            append /tmp/a: ok
            append /tmp/a: ok
            cat /tmp/a: one|two
            mkdir /tmp/d: ok
            append /tmp/d/x: ok
            rename /tmp/d/x: ok
            ls /tmp: . .. a d y
            rmdir /tmp: Invalid argument
            rmdir /tmp/d: ok
            rm /tmp/a: ok
            ls /tmp: . .. y
            cat /tmp/../x: Capabilities insufficient
            append /ro/x: Read-only file system
            rename /tmp/y: Cross-device link
            append /data/z: ok

            """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == ["z"])
    }

    /// size= bounds what a tmpfs holds: a write past it is ENOSPC, and freeing makes room again.
    @Test func tmpfsSizeIsHonoured() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let line = String(repeating: "x", count: 3000)
        // 64 KiB: 16 pages, some of them the filesystem's own (index pages, directory entries).
        let fill = (0..<24).map { "append:/tmp/f\($0):\(line)" }
        let result = try run(runtime, fill + ["rm:/tmp/f0", "rm:/tmp/f1", "rm:/tmp/f2", "append:/tmp/again:\(line)"],
                             mounts: [["/tmp", "tmpfs", "size=64k"]])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("append /tmp/f0: ok"))
        #expect(lines.contains { $0.hasSuffix(": No space left on device") }, "\(result.stdout)")
        #expect(lines.last == "append /tmp/again: ok", "\(result.stdout)")
    }

    /// process.cwd inside a volume (podman -w, a pod's workingDir on a volume): "." is that
    /// directory of the volume, so relative paths land there.
    @Test func workingDirectoryInsideAVolume() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let data = try directory(runtime, "data/work")
        let result = try run(runtime, ["append:note.txt:here", "ls:."], mounts: [["/data", data + "/.."]],
                             cwd: "/data/work")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "append note.txt: ok\nls .: . .. note.txt\n", "\(result.stdout)")
        #expect(try String(contentsOfFile: data + "/note.txt", encoding: .utf8) == "here\n")
        let tmp = try run(runtime, ["append:x:1", "ls:."], mounts: [["/scratch", "tmpfs"]], cwd: "/scratch")
        #expect(tmp.stdout == "append x: ok\nls .: . .. x\n", "\(tmp.stdout) \(tmp.stderr)")
        let missing = try run(runtime, ["ls:."], mounts: [["/data", data]], cwd: "/data/missing")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("process.cwd is not a directory of its volume"), "\(missing.stderr)")
    }
}
