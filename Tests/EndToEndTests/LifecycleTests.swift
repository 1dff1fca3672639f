import CShim
import Foundation
import Testing

/// create / start / state / delete in their first form, through the binary:
/// the monitor waits after create (its pid in the pid file and in state),
/// runs the guest only after start, and delete removes the state.
@Suite(.needsKVM)
struct LifecycleTests {
    /// Like conmon, this test process is a child subreaper: the monitor that
    /// outlives `create` becomes our child, and a thread reaps it the moment
    /// it exits, so no zombie lingers (other suites in this process check
    /// that they leave none).
    final class Reaper: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private(set) var status: Int32 = -1

        init(pid: Int32) {
            Thread.detachNewThread { [self] in
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                status = raw
                done.signal()
            }
        }

        func wait(seconds: Int) -> Bool { done.wait(timeout: .now() + .seconds(seconds)) == .success }
    }

    init() throws {
        try #require(cshim_set_child_subreaper() == 0, "prctl(PR_SET_CHILD_SUBREAPER)")
    }

    func state(_ runtime: Runtime, _ id: String) throws -> [String: Any] {
        let result = try runtime.run(["state", id])
        #expect(result.status == 0, "state failed: \(result.stderr)")
        #expect(result.stderr == "")
        #expect(!result.stdout.hasSuffix("\n"))
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return object as? [String: Any] ?? [:]
    }

    /// `create` of `bundle` as `id`, its output discarded (the monitor keeps create's stdio, so
    /// no pipe we would wait on), and a Reaper for the monitor, whose subreaper this process is.
    func createReaped(_ runtime: Runtime, bundle: String, id: String) throws -> (pid: Int32, reaper: Reaper) {
        let pidFile = runtime.scratch.appendingPathComponent("\(id).pid").path
        let create = try runtime.run(["create", "--bundle", bundle, "--pid-file", pidFile, id],
                                     wrapper: ["/bin/sh", "-c", "exec \"$@\" >/dev/null 2>&1", "sh"])
        #expect(create.status == 0, "create: \(create.stderr)")
        let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "") ?? -1
        try #require(pid > 0)
        return (pid, Reaper(pid: pid))
    }

    func waitUntilStopped(_ runtime: Runtime, _ id: String) throws -> [String: Any] {
        for _ in 0..<500 {
            let current = try state(runtime, id)
            if current["status"] as? String == "stopped" { return current }
            usleep(20_000)
        }
        Issue.record("container \(id) never stopped")
        return [:]
    }

    @Test func createStartStateDelete() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello", args: ["/hello.wasm", "lifecycle", "5"])
        let pidFile = runtime.scratch.appendingPathComponent("container.pid").path
        // create returns while the monitor waits; the monitor keeps create's
        // stdout, so give it a file rather than a pipe we would wait on.
        let output = runtime.scratch.appendingPathComponent("container.out").path
        let create = try runtime.run(["create", "--bundle", bundle, "--pid-file", pidFile, "lc"],
                                     wrapper: ["/bin/sh", "-c", "exec \"$@\" >\"$0\" 2>&1", output])
        #expect(create.status == 0, "create: \(create.stderr)")

        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8)
        #expect(pidText.allSatisfy(\.isNumber) && !pidText.isEmpty, "pid file: \(pidText.debugDescription)")
        let pid = Int32(pidText) ?? -1
        #expect(kill(pid, 0) == 0, "monitor \(pid) is not alive after create")
        let reaper = Reaper(pid: pid)

        let created = try state(runtime, "lc")
        #expect(created["status"] as? String == "created")
        #expect(created["pid"] as? Int == Int(pid))
        #expect(created["id"] as? String == "lc")
        #expect(created["bundle"] as? String == bundle)
        #expect((created["ociVersion"] as? String)?.isEmpty == false)
        usleep(200_000)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "",
                "the guest must not run before start")

        let start = try runtime.run(["start", "lc"])
        #expect(start.status == 0, "start: \(start.stderr)")
        let second = try runtime.run(["start", "lc"])
        #expect(second.status != 0, "a second start must fail")

        #expect(reaper.wait(seconds: 60), "the monitor never exited")
        #expect(reaper.status >> 8 & 0xff == 5, "monitor wait status \(reaper.status)")
        let stopped = try waitUntilStopped(runtime, "lc")
        #expect(stopped["pid"] as? Int == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8)
                == "Hello, lifecycle!\nexiting with status 5\n")

        let delete = try runtime.run(["delete", "lc"])
        #expect(delete.status == 0, "delete: \(delete.stderr)")
        #expect(runtime.leftoverState().isEmpty)
        let gone = try runtime.run(["state", "lc"])
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("does not exist"))
    }

    @Test func deleteOfACreatedContainerKillsTheMonitor() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let (pid, reaper) = try createReaped(runtime, bundle: bundle, id: "del")
        let delete = try runtime.run(["delete", "del"])
        #expect(delete.status == 0, "delete: \(delete.stderr)")
        #expect(reaper.wait(seconds: 10), "monitor \(pid) survived delete")
        #expect(reaper.status & 0x7f == SIGKILL, "monitor wait status \(reaper.status)")
        #expect(runtime.leftoverState().isEmpty)
    }

    /// A foreground `run` whose container was deleted under it (`delete --force`) and whose id
    /// was used again meanwhile leaves the new container alone when its own monitor ends.
    @Test func runLeavesANewContainerOfItsIdAlone() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let sleeper = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", "sleep-forever"])
        let spawned = try SpawnedRuntime(runtime, bundle: sleeper, id: "reused", stdin: .pipe("", keepOpen: true))
        try #require(spawned.waitForStdout("sleeping\n"), "the guest never went to sleep")
        // The run cannot react until the new container exists.
        spawned.signal(SIGSTOP)
        let delete = try runtime.run(["delete", "--force", "reused"])
        #expect(delete.status == 0, "delete --force: \(delete.stderr)")
        let hello = try runtime.bundle("hello")
        let (monitor, reaper) = try createReaped(runtime, bundle: hello, id: "reused")
        spawned.signal(SIGCONT)
        let outcome = spawned.wait(timeout: 20)
        #expect(outcome.signal == SIGKILL || outcome.exitStatus != nil, "run: status \(outcome.status)")
        #expect(try state(runtime, "reused")["status"] as? String == "created", "the new container is gone")
        #expect(try runtime.run(["delete", "--force", "reused"]).status == 0)
        #expect(reaper.wait(seconds: 10), "monitor \(monitor) survived delete")
        #expect(runtime.leftoverState().isEmpty)
    }
}
