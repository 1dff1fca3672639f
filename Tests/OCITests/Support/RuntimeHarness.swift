import CShim
import Foundation
import Glibc
import Testing
@testable import OCI

/// Runs the BUILT mewz-runtime against temporary bundles and a temporary --root, as
/// podman/conmon would: this test process is a child subreaper, so a container process (the
/// monitor, which boots a real KVM VM) outliving `create` is re-parented to it and can be
/// reaped for its status. Bundles run oci/examples/probe's module (see its src/probe.c).
final class RuntimeHarness {
    struct Outcome {
        var exit: ProcessExit
        var stdout: String
        var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// MEWZ_RUNTIME_BIN (set by hack/test), else the release build (hack/build), which finds
    /// the guest library beside itself.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["MEWZ_RUNTIME_BIN"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".build/release/mewz-runtime").path
    }()

    /// Under hack/test the binary tests must run (and fail), never be skipped.
    static var required: Bool { ProcessInfo.processInfo.environment["MEWZ_RUNTIME_BIN"] != nil }
    static var binaryExists: Bool { FileManager.default.isExecutableFile(atPath: binary) }
    static var kvmUsable: Bool { access("/dev/kvm", R_OK | W_OK) == 0 }

    static let becameSubreaper: Bool = cshim_set_child_subreaper() == 0

    /// The image cache of this test process: private, so no test reads an image another run
    /// built, and shared by its tests, so the probe compiles once. Removed at exit.
    static let sharedCache: String = {
        var template = Array("/tmp/mewz-oci-cache-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return "/tmp/mewz-oci-cache-\(getpid())" }
        atexit { try? FileManager.default.removeItem(atPath: RuntimeHarness.sharedCache) }
        return String(cString: made)
    }()

    /// The probe's WebAssembly module, built from its committed C by hack/build-examples.
    static let probeModulePath = packageRoot.appendingPathComponent("oci/examples/probe/rootfs/probe.wasm").path
    static let probeModule: [UInt8]? = FileManager.default.contents(atPath: probeModulePath).map { [UInt8]($0) }

    /// The 8-byte preamble alone: a module header with nothing after it.
    static let minimalModule: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    let work: String
    let root: String

    init() throws {
        guard RuntimeHarness.binaryExists else {
            throw HarnessError("\(RuntimeHarness.binary) is missing: run hack/build or set MEWZ_RUNTIME_BIN")
        }
        guard RuntimeHarness.probeModule != nil else {
            throw HarnessError("\(RuntimeHarness.probeModulePath) is missing: run hack/build-examples probe")
        }
        guard RuntimeHarness.becameSubreaper else { throw HarnessError("prctl(PR_SET_CHILD_SUBREAPER) failed") }
        var template = Array("/tmp/mewz-oci-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        work = String(cString: made)
        root = work + "/root"
    }

    /// A failed test must not leave a spinning VM behind: kill what still runs under our root,
    /// and remove the cgroups the tests asked for below `cgroupParent`.
    deinit {
        for _ in 0..<3 {
            let live = liveProcessesUnderRoot()
            if live.isEmpty { break }
            for pid in live { kill(pid, SIGKILL) }
            for pid in live { _ = RuntimeHarness.waitBlocking(pid) }
        }
        for directory in cgroupDirectories(cgroupParent).reversed() { rmdir(directory) }
        try? FileManager.default.removeItem(atPath: work)
    }

    /// An absolute cgroup of this harness only ("/mewz-test-<pid>-<n>"): tests put their
    /// containers below it, and deinit removes it from every hierarchy.
    lazy var cgroupParent: String = {
        RuntimeHarness.cgroupCounter += 1
        return "/mewz-test-\(getpid())-\(RuntimeHarness.cgroupCounter)"
    }()
    nonisolated(unsafe) static var cgroupCounter = 0

    /// `cgroup` and everything below it, in every mounted hierarchy, parents first.
    func cgroupDirectories(_ cgroup: String) -> [String] {
        guard let hierarchies = try? CgroupHierarchy.discover() else { return [] }
        var result: [String] = []
        for hierarchy in hierarchies {
            guard let top = hierarchy.directory(of: cgroup), FileManager.default.fileExists(atPath: top) else { continue }
            result.append(top)
            let below = (try? FileManager.default.subpathsOfDirectory(atPath: top)) ?? []
            for path in below.sorted() {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: top + "/" + path, isDirectory: &isDirectory), isDirectory.boolValue {
                    result.append(top + "/" + path)
                }
            }
        }
        return result
    }

    // MARK: Bundles

    /// A bundle whose config.json runs `args` (args[0] is the module's path in the rootfs);
    /// the module is the probe unless `module` is given.
    func bundle(_ name: String, args: [String], module: [UInt8]? = nil,
                modulePath: String = "app.wasm", config: String? = nil) throws -> String {
        let bundle = work + "/" + name
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        let bytes = module ?? RuntimeHarness.probeModule ?? []
        try Data(bytes).write(to: URL(fileURLWithPath: bundle + "/rootfs/" + modulePath))
        let argsJSON = args.map { "\"\($0)\"" }.joined(separator: ",")
        let text = config ?? """
            {"ociVersion":"1.2.0","process":{"terminal":false,"args":[\(argsJSON)],"env":["PATH=/bin"],"cwd":"/"},
             "root":{"path":"rootfs"},"annotations":{"org.example/k":"v"}}
            """
        try text.write(toFile: bundle + "/config.json", atomically: true, encoding: .utf8)
        return bundle
    }

    /// A bundle whose config.json is the usual one (see above) changed by `configure`.
    func bundle(_ name: String, args: [String], module: [UInt8]? = nil, modulePath: String = "app.wasm",
                configure: (inout [String: Any]) -> Void) throws -> String {
        let bundle = try self.bundle(name, args: args, module: module, modulePath: modulePath)
        let path = bundle + "/config.json"
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        else { throw HarnessError("unreadable \(path)") }
        configure(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return bundle
    }

    /// A runc bundle (`runc spec`) whose rootfs holds busybox, running `args`.
    func nativeBundle(_ name: String, args: [String], annotations: [String: String] = [:]) throws -> String {
        let bundle = work + "/" + name
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: bundle + "/rootfs/bin/busybox")
        for tool in ["sh", "sleep", "echo", "cat"] {
            try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/bin/" + tool, withDestinationPath: "busybox")
        }
        let spec = Process()
        spec.executableURL = URL(fileURLWithPath: RuntimeHarness.runc)
        spec.arguments = ["spec", "--bundle", bundle]
        try spec.run()
        spec.waitUntilExit()
        guard spec.terminationStatus == 0 else { throw HarnessError("runc spec failed") }
        let path = bundle + "/config.json"
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any],
              var process = config["process"] as? [String: Any]
        else { throw HarnessError("unreadable \(path)") }
        process["terminal"] = false
        process["args"] = args
        config["process"] = process
        if !annotations.isEmpty { config["annotations"] = annotations }
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return bundle
    }

    /// runc, which the fallback tests hand bundles to.
    static let runc: String = ["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/runc"

    // MARK: Running the binary

    /// Runs `mewz-runtime --root <root> arguments` to completion (killed, with a recorded
    /// issue, after `timeout` seconds). Its stdout and stderr go to files (a pipe would stay
    /// open in the container process); stdin is /dev/null. `wrapper` runs first and must exec
    /// the binary, which it gets as its next argument.
    func run(_ arguments: [String], environment: [String: String] = [:], stdoutPath: String? = nil,
             extraFD: Int32? = nil, extraFDs: [Int32] = [], hostileSignals: Bool = false, wrapper: [String] = [],
             timeout: Double = 120) throws -> Outcome {
        let pid = try spawn(["--root", root] + arguments, environment: environment, stdoutPath: stdoutPath,
                            extraFDs: extraFD.map { [$0] } ?? extraFDs, hostileSignals: hostileSignals,
                            wrapper: wrapper)
        let exit = RuntimeHarness.wait(pid, seconds: timeout, what: "mewz-runtime \(arguments.joined(separator: " "))")
        let stdout = stdoutPath ?? work + "/last.stdout"
        return Outcome(exit: exit ?? .exited(-1),
                       stdout: (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOfFile: work + "/last.stderr", encoding: .utf8)) ?? "")
    }

    /// Starts the binary without waiting (the caller reaps the returned pid). It gets default
    /// signal dispositions and an empty mask, like a child of conmon; `hostileSignals` instead
    /// passes every signal blocked and SIGINT/SIGHUP ignored. MEWZ_CACHE_DIR is the shared
    /// cache unless `environment` says otherwise.
    func spawn(_ arguments: [String], environment: [String: String] = [:], stdoutPath: String? = nil,
               extraFDs: [Int32] = [], hostileSignals: Bool = false, wrapper: [String] = [],
               stderrPath: String? = nil) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        var defaults = sigset_t()
        sigfillset(&defaults)
        if hostileSignals {
            sigfillset(&mask)
            sigdelset(&defaults, SIGINT)
            sigdelset(&defaults, SIGHUP)
        } else {
            sigemptyset(&mask)
        }
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // Dispositions are inherited: ignore in this process around the spawn (serialized suite).
        let previousINT = hostileSignals ? signal(SIGINT, SIG_IGN) : nil
        let previousHUP = hostileSignals ? signal(SIGHUP, SIG_IGN) : nil
        defer {
            if hostileSignals {
                signal(SIGINT, previousINT)
                signal(SIGHUP, previousHUP)
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath ?? work + "/last.stdout",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? work + "/last.stderr",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Only what a caller deliberately passes reaches the runtime: fds 0-2 and extraFDs at 3...
        let inherited = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in inherited.compactMap(Int32.init) where fd > 2 && !extraFDs.contains(fd) {
            if fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        // Through high numbers first, so one extra fd cannot overwrite another.
        for (index, fd) in extraFDs.enumerated() { posix_spawn_file_actions_adddup2(&actions, fd, 900 + Int32(index)) }
        for index in extraFDs.indices {
            posix_spawn_file_actions_adddup2(&actions, 900 + Int32(index), 3 + Int32(index))
            posix_spawn_file_actions_addclose(&actions, 900 + Int32(index))
        }

        var merged = ProcessInfo.processInfo.environment
        merged["MEWZ_CACHE_DIR"] = RuntimeHarness.sharedCache
        merged.merge(environment) { $1 }
        let executable = wrapper.first ?? RuntimeHarness.binary
        let argv = (wrapper + [RuntimeHarness.binary] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw HarnessError("posix_spawn \(executable): \(result)") }
        return pid
    }

    /// Runs the binary in a private mount namespace where /dev/kvm is /dev/null: the monitor
    /// opens it for real and KVM_GET_API_VERSION fails. Needs root.
    static let withoutKVM = ["/usr/bin/unshare", "--mount", "--propagation", "private",
                             "/bin/sh", "-c", "mount --bind /dev/null /dev/kvm && exec \"$@\"", "sh"]

    // MARK: Observing

    /// The decoded `state` output, or nil when state fails.
    func state(_ id: String) throws -> [String: Any]? {
        let outcome = try run(["state", id])
        guard outcome.exit == .exited(0),
              let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        else { return nil }
        return object
    }

    func containerDirectoryExists(_ id: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/" + id)
    }

    /// Waits until the guest has printed `line` into `path` (the probe prints its arguments
    /// before it spins): then the VM is really running guest code.
    func awaitOutput(_ path: String, _ line: String, seconds: Double = 60) -> Bool {
        RuntimeHarness.eventually(seconds: seconds) {
            (try? String(contentsOfFile: path, encoding: .utf8)) == line
        }
    }

    /// Reaps a container process re-parented to us (or our own child); nil when it is not
    /// our child, or when it did not end within `seconds` (then it is killed and an issue
    /// recorded, so a VM that ignores a signal fails the test instead of hanging it).
    func reap(_ pid: Int32, seconds: Double = 30) -> ProcessExit? {
        RuntimeHarness.wait(pid, seconds: seconds, what: "container process \(pid)")
    }

    static func wait(_ pid: Int32, seconds: Double, what: String) -> ProcessExit? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return ProcessExit(waitStatus: status) }
            if result == -1 && errno != EINTR { return nil }
            if result == 0 && Date() >= deadline {
                Issue.record("\(what) still running after \(seconds) s: killed")
                kill(pid, SIGKILL)
                _ = waitBlocking(pid)
                return nil
            }
            usleep(2_000)
        }
    }

    static func waitBlocking(_ pid: Int32) -> ProcessExit? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { return ProcessExit(waitStatus: status) }
            if result == -1 && errno == EINTR { continue }
            return nil
        }
    }

    /// Our children (alive or unreaped) that this harness's runtime made: every runtime
    /// invocation and every container process (forked from one) has `--root <root>` in its
    /// command line; an unreaped one has no command line left, so a dead child named
    /// mewz-runtime counts too. Other suites' processes in this test run do not.
    func leftoverProcesses() -> [Int32] {
        // A dead mewz-runtime child may be another test's that its test has yet to reap (tests
        // run in parallel, and a zombie has no command line to tell whose it is): only what
        // stays unreaped for a few seconds counts.
        var found = scanLeftoverProcesses()
        let deadline = Date().addingTimeInterval(3)
        while !found.isEmpty, Date() < deadline,
              found.allSatisfy({ ProcessStat.read(pid: $0)?.isDead ?? true }) {
            usleep(20_000)
            found = scanLeftoverProcesses()
        }
        return found
    }

    private func scanLeftoverProcesses() -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = ProcessStat.read(pid: pid), stat.parentPID == me else { return false }
            if RuntimeHarness.commandLine(of: pid).contains(root) { return true }
            return stat.isDead && RuntimeHarness.commandName(of: pid) == "mewz-runtime"
        }
    }

    private func liveProcessesUnderRoot() -> [Int32] {
        leftoverProcesses().filter { ProcessStat.read(pid: $0)?.isDead == false }
    }

    static func commandLine(of pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every process whose command name is `name`.
    static func processes(named name: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { commandName(of: $0) == name }
    }

    static func commandName(of pid: Int32) -> String {
        ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .newlines)
    }

    /// SigBlk and SigIgn from /proc/<pid>/status.
    static func signalMasks(of pid: Int32) -> (blocked: String, ignored: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> String {
            text.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) } ?? ""
        }
        return (field("SigBlk"), field("SigIgn"))
    }

    // MARK: Descriptors

    /// What each open descriptor of `pid` points at, by fd.
    static func descriptors(of pid: Int32) -> [(fd: Int32, target: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return entries.compactMap(Int32.init).sorted().map { fd in
            (fd, (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "")
        }
    }

    /// Every open descriptor of every process, with its owner.
    static func allDescriptors() -> [(pid: Int32, fd: Int32, target: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).flatMap { pid in descriptors(of: pid).map { (pid, $0.fd, $0.target) } }
    }

    /// The monitor's own KVM handles: /dev/kvm, the VM and its vCPU.
    static func isVMDescriptor(_ target: String) -> Bool {
        target == "/dev/kvm" || target.hasPrefix("anon_inode:kvm-")
    }

    /// The descriptors of `pid` other than its VM's, optionally without the start fifo.
    static func openFDs(of pid: Int32, exceptStartFIFO: Bool = false) -> [Int32] {
        descriptors(of: pid).filter { entry in
            !isVMDescriptor(entry.target) && !(exceptStartFIFO && entry.target.hasSuffix("/exec.fifo"))
        }.map(\.fd)
    }

    /// True when `pid` holds exactly one VM with one vCPU (and /dev/kvm at most once), i.e.
    /// it created its VM and holds no stray KVM handle.
    static func holdsOneVM(_ pid: Int32) -> Bool {
        let targets = descriptors(of: pid).map(\.target).filter(isVMDescriptor).sorted()
        return targets.filter { $0 != "/dev/kvm" } == ["anon_inode:kvm-vcpu:0", "anon_inode:kvm-vm"]
            && targets.filter { $0 == "/dev/kvm" }.count <= 1
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    static func eventually(seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
