import Foundation
import Glibc
import Testing

/// Clocks and random_get through the built binary and the sysprobe example: the guest's clocks
/// run from the TSC without exits yet agree with the host's, never go backwards, and CPU time
/// counts computing, not sleeping; random_get fills large buffers with distinct, even bytes.
@Suite(.needsKVM)
struct ClockRandomTests {
    static func hostNanoseconds(_ clock: clockid_t) -> UInt64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    @Test func clocksAgreeWithTheHostAndBehave() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", "clocks"])
        let realtimeBefore = Self.hostNanoseconds(CLOCK_REALTIME)
        let monotonicBefore = Self.hostNanoseconds(CLOCK_MONOTONIC)
        let outcome = try SpawnedRuntime.run(runtime, bundle: bundle, id: "clocks")
        let realtimeAfter = Self.hostNanoseconds(CLOCK_REALTIME)
        let monotonicAfter = Self.hostNanoseconds(CLOCK_MONOTONIC)
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        func value(_ prefix: String) -> UInt64? {
            lines.first { $0.hasPrefix(prefix + " ") }.flatMap { UInt64($0.dropFirst(prefix.count + 1)) }
        }
        // One TSC tick rounded up to a nanosecond (1 ns on any TSC of 1 GHz or more), success.
        for id in 0..<4 {
            let parts = lines.first { $0.hasPrefix("res \(id) ") }?.split(separator: " ") ?? []
            #expect(parts.count == 4 && parts[3] == "0", "clock \(id): \(parts)")
            let resolution = parts.count == 4 ? UInt64(parts[2]) ?? 0 : 0
            #expect(resolution >= 1 && resolution <= 1000, "clock \(id) resolution \(resolution)")
        }
        #expect(lines.contains("bad clock: 28 28"))
        // The guest read each clock between the host's readings (a second of slack either way).
        let slack: UInt64 = 1_000_000_000
        let realtime = try #require(value("realtime"))
        #expect(realtime + slack >= realtimeBefore && realtime <= realtimeAfter + slack)
        let monotonic = try #require(value("monotonic"))
        #expect(monotonic + slack >= monotonicBefore && monotonic <= monotonicAfter + slack)
        #expect(lines.contains("monotonic: 0 backwards, moved yes"))
        #expect(lines.contains("cpu: spinning counts, sleeping does not count"))
    }

    @Test func randomGetFillsLargeBuffersWell() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", "random"])
        let outcome = try SpawnedRuntime.run(runtime, bundle: bundle, id: "random")
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "fault: 21\nrandom: distinct, even\n")
    }
}
