import Foundation
import Testing

/// poll_oneoff through the built binary and the sysprobe example: sleeps on relative and
/// absolute clocks cost no host CPU, poll() sees stdin's data, end of file and silence, and
/// the import answers its edge cases with WASI's errnos.
@Suite(.needsKVM)
struct PollTests {
    func sysprobe(_ runtime: Runtime, _ args: String...) throws -> String {
        try runtime.bundle("sysprobe", args: ["/sysprobe.wasm"] + args)
    }

    /// A spinning wait would cost about the full second; the monitor blocks in ppoll instead.
    @Test func aOneSecondSleepCostsNoHostCPU() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        // Once first, so the measured run maps a cached image instead of compiling it.
        let warm = try SpawnedRuntime.run(runtime, bundle: try sysprobe(runtime, "sleep", "0"), id: "warm")
        #expect(warm.exitStatus == 0 && warm.stdout == "slept enough\n", "\(warm.stderr)")
        let outcome = try SpawnedRuntime.run(runtime, bundle: try sysprobe(runtime, "sleep", "1000"), id: "sleep")
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "slept enough\n")
        #expect(outcome.elapsed >= .seconds(1))
        #expect(outcome.cpuTime < .milliseconds(300),
                "mewz-runtime and its monitor used \(outcome.cpuTime) of CPU across a 1 s guest sleep")
        print("mewz-e2e: 1 s guest sleep: \(outcome.elapsed) wall, \(outcome.cpuTime) CPU")
        #expect(runtime.leftoverState().isEmpty)
    }

    @Test func anAbsoluteRealtimeSleepWakesAfterItsTime() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let outcome = try SpawnedRuntime.run(runtime, bundle: try sysprobe(runtime, "sleep-until", "200"), id: "until")
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "woke after\n")
    }

    @Test(arguments: [
        // stdin, poll timeout ms, stdout
        (SpawnedRuntime.Input.pipe("hi\n"), "100", "ready 1\nstdin: in hup\nread 3\n"),
        (.pipe("hi\n", keepOpen: true), "100", "ready 1\nstdin: in\nread 3\n"),
        (.pipe("", keepOpen: true), "100", "ready 0\nstdin:\n"),
        // WASI has no bare hang-up: an fd_read event with the hangup flag, so libc says in|hup.
        (.pipe(""), "100", "ready 1\nstdin: in hup\nread 0\n"),
        (.devNull, "-1", "ready 1\nstdin: in\nread 0\n"),
        // A closed stdin is /dev/null (the runtime puts it there before it opens anything).
        (.closed, "-1", "ready 1\nstdin: in\nread 0\n"),
    ])
    func pollSeesStdin(stdin: SpawnedRuntime.Input, timeout: String, expected: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let outcome = try SpawnedRuntime.run(runtime, bundle: try sysprobe(runtime, "poll-stdin", timeout),
                                             id: "poll-stdin", stdin: stdin)
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == expected)
    }

    @Test func pollSeesWritableOutputs() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let outcome = try SpawnedRuntime.run(runtime, bundle: try sysprobe(runtime, "poll-out"), id: "poll-out")
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "ready 2\nstdout: out\nstderr: out\n")
    }

    /// No subscriptions and an unknown tag are EINVAL (28), memory outside linear memory EFAULT
    /// (21); fd_read on stdout and fd_write on an fd that is not open are EBADF (8) events, an
    /// absolute deadline long past an event at once, and a CPU-time clock EINVAL for the call
    /// (as wasmtime answers).
    @Test func pollOneoffAnswersItsEdgeCasesWithWASIErrnos() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let outcome = try SpawnedRuntime.run(runtime, bundle: try sysprobe(runtime, "poll-bad"), id: "poll-bad")
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == """
            none: 28
            mixed: 0, 3 events: 10/1/8 11/2/8 13/0/0
            cpu clock: 28
            bad tag: 28
            fault: 21

            """)
    }
}
