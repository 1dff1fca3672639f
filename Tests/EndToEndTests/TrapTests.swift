import Foundation
import Testing

/// One test per trap kind: each makes the guest execute the Wasm
/// instruction that traps, inside the KVM VM.
@Suite(.needsKVM)
struct TrapTests {
    @Test(arguments: [
        ("unreachable", "unreachable"),
        ("oob", "out of bounds memory access"),
        ("divzero", "integer divide by zero"),
        ("indirect", "indirect call type mismatch"),
    ])
    func trapPrintsReasonAndExits134(kind: String, reason: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("traps", args: ["/traps.wasm", kind])
        let result = try runtime.run(["run", "--bundle", bundle, "trap-\(kind)"])
        #expect(result.stdout == "triggering \(kind)\n")
        #expect(result.stderr.hasSuffix("wasm trap: \(reason)\n"))
        #expect(result.status == 134)
        #expect(runtime.leftoverState().isEmpty)
    }

    @Test func unknownKindExitsNormally() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("traps", args: ["/traps.wasm", "none"])
        let result = try runtime.run(["run", "--bundle", bundle, "trap-none"])
        #expect(result.status == 2)
        #expect(!result.stderr.contains("wasm trap"))
    }
}
