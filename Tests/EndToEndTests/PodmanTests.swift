import Foundation
import Glibc
import Testing

/// podman (4.3, through conmon) driving the built binary as the runtime "mewz" named in
/// oci/podman/containers.conf, on images built by `podman build` from the examples'
/// Containerfiles.
@Suite(.needsKVM, .serialized)
struct PodmanTests {
    @Test func buildRunPsLogsStopRemove() throws {
        let podman = try PodmanEnvironment()
        try podman.build("hello")
        try podman.build("probe")

        // Output and exit status, foreground, container removed after.
        let hello = try podman.podman(["run", "--rm", "--runtime", "mewz", "mewz-hello"])
        #expect(hello.status == 0, "\(hello.stderr)")
        #expect(hello.stdout == "Hello, world!\n")
        let status = try podman.podman(["run", "--rm", "--runtime", "mewz", "mewz-hello", "you", "3"])
        #expect(status.status == 3)
        #expect(status.stdout == "Hello, you!\n")
        #expect(status.stderr.contains("exiting with status 3"))

        // A long-running guest: ps, logs, pause, stop (SIGTERM reaches the VM), rm.
        let started = try podman.podman(["run", "--detach", "--name", "spinner", "--runtime", "mewz", "mewz-probe", "spin"])
        #expect(started.status == 0, "\(started.stderr)")
        let ps = try podman.podman(["ps", "--format", "{{.Names}} {{.Status}}"])
        #expect(ps.stdout.hasPrefix("spinner Up"), "\(ps.stdout)")
        #expect(RuntimeEventually.check { (try? podman.podman(["logs", "spinner"]).stdout) == "/probe.wasm spin\n" })
        let pidText = try podman.podman(["inspect", "--format", "{{.State.Pid}}", "spinner"]).stdout
        let monitor = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // The monitor is in podman's network namespace and in its cgroup.
        let net = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(monitor)/ns/net")
        #expect(net != (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")))
        let id = try podman.podman(["inspect", "--format", "{{.Id}}", "spinner"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ClientTools.text("/proc/\(monitor)/cgroup").contains("libpod-\(id)"))

        #expect(try podman.podman(["pause", "spinner"]).succeeded)
        #expect(try podman.podman(["inspect", "--format", "{{.State.Status}}", "spinner"]).stdout == "paused\n")
        #expect(try podman.podman(["unpause", "spinner"]).succeeded)

        // podman update hands the runtime the container's resources with the new CPU limit.
        let update = try podman.podman(["update", "--cpus", "0.5", "spinner"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(CgroupLimitFiles(pid: monitor).cpuQuota == "50000", "\(ClientTools.text("/proc/\(monitor)/cgroup"))")

        let stopStarted = Date()
        let stop = try podman.podman(["stop", "--time", "20", "spinner"])
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(Date().timeIntervalSince(stopStarted) < 15, "SIGTERM did not stop the guest; podman waited for SIGKILL")
        #expect(try podman.podman(["inspect", "--format", "{{.State.ExitCode}}", "spinner"]).stdout == "143\n")
        #expect(kill(monitor, 0) != 0)
        #expect(try podman.podman(["rm", "spinner"]).succeeded)
        #expect(try podman.podman(["ps", "--all", "--quiet"]).stdout.isEmpty)
        #expect(ClientTools.processes(mentioning: podman.directory).isEmpty)
    }

    /// With containers.conf's fallback (conmon_env_vars), an image without Wasm runs on runc
    /// through --runtime mewz, stop and rm included; without it, it fails with mewz-runtime's
    /// own line (podman reads it from the JSON log: runtime_supports_json).
    @Test func nativeImageFallsBackToRuncOrFailsClearly() throws {
        let podman = try PodmanEnvironment()
        try podman.buildNativeHello()
        let native = try podman.podman(["run", "--rm", "--runtime", "mewz", "native-hello"])
        #expect(native.status == 0, "\(native.stderr)")
        #expect(native.stdout == "Hello, world!\n")
        let sleeper = try podman.podman(["run", "--detach", "--name", "sleeper", "--runtime", "mewz",
                                         "--entrypoint", "/bin/busybox", "native-hello", "sleep", "600"])
        #expect(sleeper.status == 0, "\(sleeper.stderr)")
        #expect(try podman.podman(["ps", "--format", "{{.Names}}"]).stdout == "sleeper\n")
        #expect(try podman.podman(["stop", "--time", "2", "sleeper"]).succeeded)
        #expect(try podman.podman(["rm", "sleeper"]).succeeded)
        #expect(try podman.podman(["ps", "--all", "--quiet"]).stdout.isEmpty)

        let strict = try PodmanEnvironment(fallback: false)
        try strict.buildNativeHello()
        let refused = try strict.podman(["run", "--rm", "--runtime", "mewz", "native-hello"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("mewz: /bin/busybox is not a WebAssembly module (bad magic)"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
    }
}

enum RuntimeEventually {
    static func check(seconds: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}
