import Foundation
import Testing

/// The features example (arithmetic, conversions, br_table, call_indirect,
/// segments, memory.grow, bulk memory, sign extension, saturating
/// truncation, multi-value) must print exactly what the same C source
/// prints when compiled natively.
@Suite(.needsKVM)
struct FeaturesTests {
    @Test func matchesNativeBuildOfTheSameSource() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let source = Runtime.repositoryRoot.appendingPathComponent("oci/examples/features/src/features.c").path
        let native = runtime.scratch.appendingPathComponent("features-native").path
        let compile = Process()
        compile.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compile.arguments = ["cc", "-O2", source, "-o", native, "-lm"]
        try compile.run()
        compile.waitUntilExit()
        try #require(compile.terminationStatus == 0, "native cc build failed")

        let reference = Process()
        reference.executableURL = URL(fileURLWithPath: native)
        let pipe = Pipe()
        reference.standardOutput = pipe
        try reference.run()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reference.waitUntilExit()
        try #require(reference.terminationStatus == 0)

        let result = try runtime.run(["run", "--bundle", runtime.bundle("features"), "features"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == expected)
        #expect(result.stdout.hasSuffix("global: 8\n"))
    }
}
