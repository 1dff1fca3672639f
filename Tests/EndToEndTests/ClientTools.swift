import Foundation
import Glibc
import Testing

/// Runs the real container tools (podman, containerd, ctr) for the client tests, each
/// with private state: podman with its own storage, run and tmp directories and a
/// containers.conf made from oci/podman/containers.conf; containerd as a private daemon
/// with oci/containerd/config.toml. Under hack/test these tests never skip: a missing tool
/// fails them (hack/install-deps installs them).
struct ClientTools {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var succeeded: Bool { status == 0 }
    }

    /// The first executable `name` on PATH or in the sbin and podman helper directories.
    static func find(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/bin:/usr/local/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func require(_ name: String) throws -> String {
        guard let path = find(name) else { throw TestFailure("\(name) is not installed: run hack/install-deps") }
        return path
    }

    /// Runs argv to completion (SIGKILL and a recorded issue after `timeout` seconds), with
    /// stdin /dev/null and stdout/stderr in files. posix_spawn and waitpid, not Foundation's
    /// Process: that one learns of the exit from EOF on a socket the child inherits, which
    /// conmon (forked by `podman run -d`) keeps open for the container's whole life.
    @discardableResult
    static func run(_ argv: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 300,
                    scratch: URL) throws -> Result {
        let executable = try argv[0].hasPrefix("/") ? argv[0] : require(argv[0])
        let out = scratch.appendingPathComponent("tool-\(UUID().uuidString).out").path
        let err = scratch.appendingPathComponent("tool-\(UUID().uuidString).err").path
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let inherited = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in inherited.compactMap(Int32.init) where fd > 2 && fcntl(fd, F_GETFD) >= 0 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t(), defaults = sigset_t()
        sigemptyset(&mask)
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, cArguments, cEnvironment)
        guard spawned == 0 else { throw TestFailure("posix_spawn \(executable): \(spawned)") }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result == -1 && errno != EINTR { throw TestFailure("waitpid \(argv[0])") }
            if Date() >= deadline {
                Issue.record("\(argv.joined(separator: " ")) ran past \(timeout) s")
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(5_000)
        }
        // WIFEXITED/WEXITSTATUS by hand (macros Swift cannot import): low 7 bits are the signal.
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitStatus, stdout: text(out), stderr: text(err))
    }

    static func text(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// A committed client config with the installed binary's path replaced by the built one.
    static func config(_ relative: String, binary: String) throws -> String {
        let path = Runtime.repositoryRoot.appendingPathComponent(relative).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard text.contains("/usr/local/bin/mewz-runtime") else { throw TestFailure("\(relative) names no binary") }
        return text.replacingOccurrences(of: "/usr/local/bin/mewz-runtime", with: binary)
    }

    /// Mount points below `directory` (none may be left when a test is done).
    static func mounts(under directory: String) -> [String] {
        text("/proc/self/mountinfo").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = String(fields[4])
            return point.hasPrefix(directory) ? point : nil
        }
    }

    /// Live processes whose command line mentions `text`.
    static func processes(mentioning text: String) -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != me, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty
            else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }
}

/// podman with private storage and a containers.conf made from oci/podman/containers.conf
/// (runtime "mewz" is the built binary) plus this host's needs: the ulimits its root can
/// grant, netavark, cgroupfs, the file events logger.
final class PodmanEnvironment {
    let scratch: URL
    var directory: String { scratch.path }
    let containersConf: String

    /// `fallback`: keep containers.conf's MEWZ_FALLBACK_RUNTIME (pointed at this host's runc).
    init(fallback: Bool = true) throws {
        _ = try ClientTools.require("podman")
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-podman-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        containersConf = scratch.appendingPathComponent("containers.conf").path
        var committed = try ClientTools.config("oci/podman/containers.conf", binary: Runtime.binary)
        let fallbackLine = "  \"MEWZ_FALLBACK_RUNTIME=/usr/sbin/runc\",\n"
        guard committed.contains(fallbackLine) else { throw TestFailure("containers.conf sets no fallback runtime") }
        committed = committed.replacingOccurrences(
            of: fallbackLine, with: fallback ? "  \"MEWZ_FALLBACK_RUNTIME=\(try ClientTools.require("runc"))\",\n" : "")
        let host = """

            # This host (hack/test): root cannot raise rlimits; no CNI plugins; no systemd.
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [network]
            network_backend = "netavark"
            """
        try (committed + host).write(toFile: containersConf, atomically: true, encoding: .utf8)
    }

    /// Cleans up: containers and images removed by podman itself, then the directories.
    deinit {
        _ = try? podman(["rm", "--all", "--force", "--time", "0"])
        _ = try? podman(["rmi", "--all", "--force"])
        for point in ClientTools.mounts(under: directory).sorted().reversed() { _ = umount2(point, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(at: scratch)
    }

    var baseArguments: [String] {
        ["podman", "--root", directory + "/storage", "--runroot", directory + "/run", "--tmpdir", directory + "/tmp",
         "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
    }

    @discardableResult
    func podman(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 300) throws
        -> ClientTools.Result {
        var merged = environment
        merged["CONTAINERS_CONF"] = containersConf
        merged["MEWZ_CACHE_DIR"] = merged["MEWZ_CACHE_DIR"] ?? Runtime.sharedCache
        return try ClientTools.run(baseArguments + arguments, environment: merged, timeout: timeout, scratch: scratch)
    }

    /// `podman build` of oci/examples/NAME/Containerfile as localhost/mewz-NAME.
    func build(_ example: String) throws {
        let context = Runtime.repositoryRoot.appendingPathComponent("oci/examples/\(example)").path
        let built = try podman(["build", "--quiet", "--tag", "mewz-\(example)", context])
        guard built.succeeded else { throw TestFailure("podman build \(example): \(built.stderr)") }
    }

    /// The same hello program's peer for a native runtime: busybox echo in a FROM scratch image.
    func buildNativeHello() throws {
        let context = scratch.appendingPathComponent("native").path
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: context + "/busybox")
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: context + "/busybox")
        try """
            FROM scratch
            COPY busybox /bin/busybox
            ENTRYPOINT ["/bin/busybox", "echo", "Hello, world!"]
            """.write(toFile: context + "/Containerfile", atomically: true, encoding: .utf8)
        let built = try podman(["build", "--quiet", "--tag", "native-hello", context])
        guard built.succeeded else { throw TestFailure("podman build native: \(built.stderr)") }
    }
}

/// The limit files of a cgroup, on cgroup v1 (cpu and pids hierarchies) or v2.
struct CgroupLimitFiles {
    /// The cgroup's path in its hierarchies (linux.cgroupsPath).
    let path: String

    init(path: String) {
        self.path = path
    }

    /// The cgroup of a process: its path in the cpu hierarchy (v1), else in the unified one.
    init(pid: Int32) {
        var found = "/"
        for line in ClientTools.text("/proc/\(pid)/cgroup").split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            if fields[1].split(separator: ",").contains("cpu") {
                found = fields[2]
                break
            }
            if fields[0] == "0", fields[1].isEmpty { found = fields[2] }
        }
        path = found
    }

    var cpuQuota: String? {
        read(["cpu", "cpu,cpuacct"], "cpu.cfs_quota_us") ?? read([""], "cpu.max").map { String($0.split(separator: " ")[0]) }
    }
    var cpuShares: String? { read(["cpu", "cpu,cpuacct"], "cpu.shares") ?? read([""], "cpu.weight") }
    var pids: String? { read(["pids"], "pids.max") ?? read([""], "pids.max") }

    private func read(_ hierarchies: [String], _ file: String) -> String? {
        for hierarchy in hierarchies {
            let full = "/sys/fs/cgroup/\(hierarchy)\(hierarchy.isEmpty ? "" : "/")\(path.drop { $0 == "/" })/\(file)"
            if let text = try? String(contentsOfFile: full, encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return nil
    }
}
