import Foundation
import Testing

/// fd_read on fd 0 reads the runtime's stdin, whatever it is: a pipe (all at once, or in pieces
/// over time), a regular file larger than any one read, /dev/null, or no descriptor at all.
/// The sysprobe example's `cat` copies it to stdout and counts the bytes on stderr.
@Suite(.needsKVM)
struct StdinTests {
    func cat(_ runtime: Runtime, stdin: SpawnedRuntime.Input) throws -> SpawnedRuntime.Outcome {
        let bundle = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", "cat"])
        return try SpawnedRuntime.run(runtime, bundle: bundle, id: "cat", stdin: stdin)
    }

    @Test(arguments: [
        (SpawnedRuntime.Input.pipe("abc\ndef\n"), "abc\ndef\n"),
        (.pipe(""), ""),
        (.devNull, ""),
        (.closed, ""),
    ])
    func catCopiesStdinUntilEndOfFile(stdin: SpawnedRuntime.Input, expected: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let outcome = try cat(runtime, stdin: stdin)
        #expect(outcome.exitStatus == 0)
        #expect(outcome.stdout == expected)
        #expect(outcome.stderr == "\(expected.utf8.count) bytes\n")
        #expect(runtime.leftoverState().isEmpty)
    }

    @Test func aRegularFileArrivesWhole() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        // 1 MiB + 1 of varied lines: many reads, a short last one.
        var text = ""
        var line = 0
        while text.utf8.count < (1 << 20) + 1 {
            text += "line \(line) \(String(repeating: "x", count: line % 97))\n"
            line += 1
        }
        text = String(text.utf8.prefix((1 << 20) + 1)) ?? text
        let path = runtime.scratch.appendingPathComponent("input.txt").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let outcome = try cat(runtime, stdin: .file(path))
        #expect(outcome.exitStatus == 0)
        #expect(outcome.stdout.utf8.count == text.utf8.count)
        #expect(outcome.stdout == text)
        #expect(outcome.stderr == "\((1 << 20) + 1) bytes\n")
    }

    /// Each read returns what has arrived; the guest blocks (in the host) between the pieces.
    @Test func aPipeFedInPiecesArrivesInOrder() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("sysprobe", args: ["/sysprobe.wasm", "cat"])
        let spawned = try SpawnedRuntime(runtime, bundle: bundle, id: "pieces", stdin: .pipe("one\n", keepOpen: true))
        #expect(spawned.waitForStdout("one\n"))
        spawned.writeInput("two\n")
        #expect(spawned.waitForStdout("one\ntwo\n"))
        spawned.writeInput("three\n")
        spawned.closeInput()
        let outcome = spawned.wait()
        #expect(outcome.exitStatus == 0)
        #expect(outcome.stdout == "one\ntwo\nthree\n")
        #expect(outcome.stderr == "14 bytes\n")
    }
}
