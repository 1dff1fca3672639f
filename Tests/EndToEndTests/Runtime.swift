import Foundation
import Testing

/// Drives the built `mewz-runtime` binary the way a container engine does:
/// as a separate process, with its own stdio, a private state root and a
/// private image cache.
struct Runtime {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Non-nil when the process died by a signal.
        var signal: Int32?
    }

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// MEWZ_RUNTIME_BIN (set by hack/test), else the release build.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["MEWZ_RUNTIME_BIN"], !path.isEmpty {
            return path
        }
        return repositoryRoot.appendingPathComponent(".build/release/mewz-runtime").path
    }

    static var kvmUsable: Bool { access("/dev/kvm", R_OK | W_OK) == 0 }
    static var isRoot: Bool { getuid() == 0 }

    /// A scratch directory removed by `cleanup()`.
    let scratch: URL
    /// The `--root` state directory, inside `scratch`.
    var stateRoot: String { scratch.appendingPathComponent("state").path }
    /// The image cache; shared by the whole test run unless a test asks for
    /// a fresh one, so the example modules compile once.
    var cacheDirectory: String

    init(freshCache: Bool = false) throws {
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("mewz-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        if freshCache {
            cacheDirectory = scratch.appendingPathComponent("cache").path
        } else {
            cacheDirectory = Runtime.sharedCache
        }
    }

    static let sharedCache: String = {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("mewz-e2e-cache-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // Removed when the test process exits (Swift Testing has no global teardown).
        atexit { try? FileManager.default.removeItem(atPath: Runtime.sharedCache) }
        return path
    }()

    func cleanup() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Copies an example bundle into the scratch directory, optionally
    /// replacing process.args and process.env, and returns its path.
    func bundle(_ example: String, args: [String]? = nil, env: [String]? = nil,
                memoryLimit: Int? = nil, name: String? = nil) throws -> String {
        let source = Runtime.repositoryRoot.appendingPathComponent("oci/examples/\(example)")
        let target = scratch.appendingPathComponent(name ?? "bundle-\(example)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: source, to: target)
        let configURL = target.appendingPathComponent("config.json")
        let data = try Data(contentsOf: configURL)
        guard var config = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              var process = config["process"] as? [String: Any]
        else { throw TestFailure("bad example config") }
        if let args { process["args"] = args }
        if let env { process["env"] = env }
        config["process"] = process
        var linux = config["linux"] as? [String: Any] ?? [:]
        if let memoryLimit { linux["resources"] = ["memory": ["limit": memoryLimit]] }
        // Its own cgroup: without cgroupsPath a container's is named after its id, and tests
        // running at once with the same id (each under its own --root) would share one, the
        // first delete removing it under the others.
        linux["cgroupsPath"] = "/mewz-e2e-\(UUID().uuidString.prefix(12))"
        config["linux"] = linux
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted])
            .write(to: configURL)
        return target.path
    }

    /// Runs the binary with `--root <stateRoot>` prepended, waiting at most
    /// `timeout` seconds (then SIGKILL and a recorded issue).
    func run(_ arguments: [String], environment extra: [String: String] = [:],
             withRoot: Bool = true, timeout: TimeInterval = 120,
             wrapper: [String] = []) throws -> Result {
        let process = Process()
        let all = (withRoot ? ["--root", stateRoot] : []) + arguments
        if wrapper.isEmpty {
            process.executableURL = URL(fileURLWithPath: Runtime.binary)
            process.arguments = all
        } else {
            process.executableURL = URL(fileURLWithPath: wrapper[0])
            process.arguments = Array(wrapper.dropFirst()) + [Runtime.binary] + all
        }
        var environment = ProcessInfo.processInfo.environment
        environment["MEWZ_CACHE_DIR"] = cacheDirectory
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = scratch.appendingPathComponent("stdout-\(UUID().uuidString)")
        let err = scratch.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("mewz-runtime \(all.joined(separator: " ")) ran past \(timeout) s")
        }
        try outHandle.close()
        try errHandle.close()
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        let signaled = process.terminationReason == .uncaughtSignal
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr,
                      signal: signaled ? process.terminationStatus : nil)
    }

    /// Container directories left under the state root.
    func leftoverState() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: stateRoot)) ?? []
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Trait where Self == ConditionTrait {
    /// Tests that boot a VM: need the built binary and /dev/kvm. Under
    /// hack/test (MEWZ_RUNTIME_BIN set) they always run, so a missing
    /// binary or KVM fails them instead of skipping them.
    static var needsKVM: Self {
        .enabled(if: Runtime.required
                     || (Runtime.kvmUsable && FileManager.default.isExecutableFile(atPath: Runtime.binary)),
                 "needs /dev/kvm and the built binary (hack/build)")
    }
    static var needsBinary: Self {
        .enabled(if: Runtime.required || FileManager.default.isExecutableFile(atPath: Runtime.binary),
                 "needs the built binary (hack/build)")
    }
}

extension Runtime {
    static var required: Bool { ProcessInfo.processInfo.environment["MEWZ_RUNTIME_BIN"] != nil }
}
