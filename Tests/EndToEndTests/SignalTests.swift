import CShim
import Foundation
import Testing

/// SIGTERM, SIGINT, SIGHUP and SIGKILL stop the guest promptly wherever it is: in a tight
/// compute loop (KVM_RUN kicked), blocked reading stdin, or asleep in poll_oneoff (the monitor's
/// ppoll cancelled); the runtime ends the way a Linux process killed by that signal ends.
@Suite(.needsKVM)
struct SignalTests {
    static let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGKILL]
    static let states: [(String, String)] = [
        // sysprobe mode, the line it prints once it is there
        ("spin", "spinning\n"), ("wait-stdin", "waiting\n"), ("sleep-forever", "sleeping\n"),
    ]

    enum Target: String, CaseIterable, Sendable {
        /// The container process (the monitor), as `kill`, podman and containerd signal it.
        case monitor
        /// `run` in the foreground, which forwards the signal to the monitor.
        case runtime
    }

    /// Either way `run` ends as the monitor did: killed by the signal.
    @Test(arguments: signals, states)
    func aSignalEndsTheGuestPromptly(signal: Int32, state: (String, String)) throws {
        for target in Target.allCases where !(target == .runtime && signal == SIGKILL) {
            let runtime = try Runtime()
            defer { runtime.cleanup() }
            let bundle = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", state.0])
            let pidFile = runtime.scratch.appendingPathComponent("monitor.pid").path
            let spawned = try SpawnedRuntime(runtime, bundle: bundle, id: "sig-\(state.0)",
                                             stdin: .pipe("", keepOpen: true), options: ["--pid-file", pidFile])
            try #require(spawned.waitForStdout(state.1), "the guest never reached \(state.0)")
            let monitor = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "") ?? 0
            try #require(monitor > 0)
            usleep(20_000)  // into the loop, the read or the sleep
            let sent = ContinuousClock.now
            kill(target == .monitor ? monitor : spawned.pid, signal)
            let outcome = spawned.wait(timeout: 20)  // a hang is an issue, then SIGKILL
            let took = ContinuousClock.now - sent
            #expect(outcome.signal == signal, "\(target): status \(outcome.status), stderr \(outcome.stderr)")
            #expect(outcome.stdout == state.1)
            #expect(outcome.stderr == "")
            print("mewz-e2e: \(target) \(signal) in \(state.0): ended \(took) after the signal")
            #expect(kill(monitor, 0) != 0, "the monitor outlived the run")
            #expect(runtime.leftoverState().isEmpty)
        }
    }
}
