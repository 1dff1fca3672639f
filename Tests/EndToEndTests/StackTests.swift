import Foundation
import Testing

/// Deep recursion in a module is the trap "call stack exhausted" (exit 134), never a hang: the
/// guest stack ends in a guard page, and images are built with stack-clash probing so no frame
/// jumps it (hack/check-guest's "bigstack" boot covers 64 KiB frames).
@Suite(.needsKVM)
struct StackTests {
    @Test func endlessRecursionTrapsAsCallStackExhausted() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", "recurse"])
        let outcome = try SpawnedRuntime.run(runtime, bundle: bundle, id: "recurse", timeout: 60)
        #expect(outcome.exitStatus == 134)
        #expect(outcome.stdout == "recursing\n")
        #expect(outcome.stderr == "wasm trap: call stack exhausted\n")
        #expect(runtime.leftoverState().isEmpty)
    }
}
