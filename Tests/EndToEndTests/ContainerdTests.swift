import Foundation
import Glibc
import Testing

/// containerd (1.6, runc shim v2) driving the built binary: a private daemon loading
/// oci/containerd/config.toml, an image from `podman save --format oci-archive` imported
/// with `ctr image import`, and `ctr run --runc-binary`.
@Suite(.needsKVM, .serialized)
struct ContainerdTests {
    /// A private containerd: its own root, state and sockets below `directory`, the committed
    /// config.toml (with the built binary) as its configuration. Stopped by deinit.
    final class Daemon {
        let directory: String
        let configPath: String
        let pid: pid_t
        var socket: String { directory + "/containerd.sock" }
        let namespace = "mewz-test-\(getpid())"

        init(directory: String) throws {
            self.directory = directory
            let containerd = try ClientTools.require("containerd")
            let committed = try ClientTools.config("oci/containerd/config.toml", binary: Runtime.binary)
            // Top-level keys before the committed tables, private addresses after them.
            configPath = directory + "/config.toml"
            try ("root = \"\(directory)/root\"\nstate = \"\(directory)/state\"\n" + committed + """

                [grpc]
                  address = "\(directory)/containerd.sock"
                [ttrpc]
                  address = "\(directory)/containerd.sock.ttrpc"
                [debug]
                  address = "\(directory)/debug.sock"
                [metrics]
                  address = ""
                """).write(toFile: configPath, atomically: true, encoding: .utf8)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, directory + "/containerd.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            let inherited = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in inherited.compactMap(Int32.init) where fd > 2 && fcntl(fd, F_GETFD) >= 0 {
                posix_spawn_file_actions_addclose(&actions, fd)
            }
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID (glibc), not imported by Swift
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup(containerd), strdup("--config"), strdup(configPath), nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, containerd, &actions, &attributes, argv, environ) == 0 else {
                throw TestFailure("posix_spawn containerd")
            }
            self.pid = pid
            guard RuntimeEventually.check(seconds: 60, { FileManager.default.fileExists(atPath: self.socket) }) else {
                throw TestFailure("containerd did not start: \(ClientTools.text(directory + "/containerd.log").suffix(2000))")
            }
        }

        deinit {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            if !RuntimeEventually.check(seconds: 20, { waitpid(pid, &status, WNOHANG) == pid }) {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
            }
            for point in ClientTools.mounts(under: directory).sorted().reversed() { _ = umount2(point, Int32(MNT_DETACH)) }
            // The runtime root the shim gives `ctr run --runc-binary` for this namespace; the
            // runtime leaves it empty.
            rmdir("/run/containerd/runc/\(namespace)")
            // ctr puts containers in /<namespace>/<id>: the runtime removes <id>, the parent
            // is the caller's to remove (in every hierarchy of cgroup v1, or the one of v2).
            let hierarchies = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
            for hierarchy in hierarchies + [""] { rmdir("/sys/fs/cgroup/\(hierarchy)/\(namespace)") }
        }

        func ctr(_ arguments: [String], scratch: URL, timeout: TimeInterval = 120) throws -> ClientTools.Result {
            try ClientTools.run(["ctr", "--address", socket, "--namespace", namespace] + arguments,
                                environment: ["MEWZ_CACHE_DIR": Runtime.sharedCache], timeout: timeout, scratch: scratch)
        }
    }

    @Test func importRunKillAndTheConfigLoads() throws {
        let podman = try PodmanEnvironment()
        try podman.build("hello")
        try podman.build("probe")
        let hello = podman.directory + "/hello.tar", probe = podman.directory + "/probe.tar"
        #expect(try podman.podman(["save", "--quiet", "--format", "oci-archive", "--output", hello, "mewz-hello"]).succeeded)
        #expect(try podman.podman(["save", "--quiet", "--format", "oci-archive", "--output", probe, "mewz-probe"]).succeeded)

        let directory = podman.directory + "/containerd"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let daemon = try Daemon(directory: directory)
        let scratch = podman.scratch

        // The config loaded: the CRI plugin is up and knows the runtime "mewz" by its binary.
        let plugins = try daemon.ctr(["plugins", "ls"], scratch: scratch)
        let rows: [[String]] = plugins.stdout.split(separator: "\n").map { line in
            line.split(separator: " ").map { String($0) }
        }
        let cri = rows.first { (row: [String]) -> Bool in row.count > 1 && row[0] == "io.containerd.grpc.v1" && row[1] == "cri" }
        #expect(cri?.last == "ok", "\(plugins.stdout) \(ClientTools.text(directory + "/containerd.log").suffix(3000))")
        let dump = try ClientTools.run([try ClientTools.require("containerd"), "--config", daemon.configPath, "config", "dump"],
                                       scratch: scratch)
        #expect(dump.stdout.contains("BinaryName = \"\(Runtime.binary)\""), "\(dump.stdout.suffix(3000))")
        #expect(dump.stdout.contains("[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.mewz]"))

        for (archive, name) in [(hello, "localhost/mewz-hello"), (probe, "localhost/mewz-probe")] {
            let imported = try daemon.ctr(["images", "import", "--base-name", name, archive], scratch: scratch)
            #expect(imported.succeeded, "\(imported.stderr)")
        }
        let runc = ["--runc-binary", Runtime.binary]
        let ran = try daemon.ctr(["run", "--rm"] + runc + ["localhost/mewz-hello:latest", "hello"], scratch: scratch)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout == "Hello, world!\n")
        let status = try daemon.ctr(["run", "--rm"] + runc + ["localhost/mewz-hello:latest", "hello3", "/hello.wasm", "ctr", "3"],
                                    scratch: scratch)
        #expect(status.status == 3)
        #expect(status.stdout == "Hello, ctr!\n")

        // A long-running guest as a task: ps, pause/resume, kill (SIGTERM), delete.
        let started = try daemon.ctr(["run", "--detach"] + runc + ["localhost/mewz-probe:latest", "spin", "/probe.wasm", "spin"],
                                     scratch: scratch)
        #expect(started.succeeded, "\(started.stderr)")
        func taskStatus() throws -> String {
            let tasks = try daemon.ctr(["tasks", "ls"], scratch: scratch).stdout
            return tasks.split(separator: "\n").first { $0.hasPrefix("spin ") }?.split(separator: " ").last.map(String.init) ?? ""
        }
        #expect(try taskStatus() == "RUNNING")
        let ps = try daemon.ctr(["tasks", "ps", "spin"], scratch: scratch)
        #expect(ps.succeeded && ps.stdout.split(separator: "\n").count == 2, "\(ps.stdout) \(ps.stderr)")
        #expect(try daemon.ctr(["tasks", "pause", "spin"], scratch: scratch).succeeded)
        #expect(try taskStatus() == "PAUSED")
        #expect(try daemon.ctr(["tasks", "resume", "spin"], scratch: scratch).succeeded)
        #expect(try taskStatus() == "RUNNING")
        #expect(try daemon.ctr(["tasks", "kill", "spin"], scratch: scratch).succeeded)
        #expect(RuntimeEventually.check { (try? taskStatus()) == "STOPPED" })
        #expect(try daemon.ctr(["tasks", "delete", "spin"], scratch: scratch).succeeded)
        #expect(try daemon.ctr(["containers", "delete", "spin"], scratch: scratch).succeeded)
        #expect(try daemon.ctr(["tasks", "ls", "--quiet"], scratch: scratch).stdout.isEmpty)
        #expect(ClientTools.processes(mentioning: directory).filter { $0 != daemon.pid }.isEmpty)
    }
}
