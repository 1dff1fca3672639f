import Testing
@testable import ImageBuilder

struct ToolRunnerTests {
    static func shell(_ script: String, label: String = "sh") -> ToolInvocation {
        ToolInvocation(executable: "/bin/sh", arguments: ["-c", script], label: label)
    }

    static func runError(_ invocations: [ToolInvocation], concurrency: Int = 2) -> ImageBuildError? {
        buildError { () throws(ImageBuildError) in
            try ToolRunner.run(invocations, concurrency: concurrency, environment: ["PATH": "/usr/bin:/bin"])
        }
    }

    @Test func successfulRuns() {
        #expect(Self.runError([Self.shell("true"), Self.shell("echo hello"), Self.shell("echo noise >&2")]) == nil)
    }

    @Test func failureReportsStatusAndTheErrorLines() {
        let script = "echo 'warning: unused' >&2; echo 'a.c:1:2: error: no luck' >&2; echo 'second' >&2; exit 3"
        let error = Self.runError([Self.shell(script, label: "clang (a.c)")])
        #expect(error?.kind == .toolFailed)
        #expect(error?.description == "clang (a.c) failed (exit status 3): a.c:1:2: error: no luck | second")
    }

    @Test func signalIsReported() {
        #expect(Self.runError([Self.shell("kill -9 $$")])?.description == "sh failed (killed by signal 9)")
    }

    /// More output than a pipe holds must not block the child.
    @Test func chattyToolDoesNotBlock() {
        #expect(Self.runError([Self.shell("i=0; while [ $i -lt 3000 ]; do echo 'a fairly long line of warnings' >&2; i=$((i+1)); done")]) == nil)
    }

    @Test func environmentIsPassed() {
        let error = buildError { () throws(ImageBuildError) in
            try ToolRunner.run(
                [Self.shell("[ \"$MEWZ_PROBE\" = yes ] || { echo \"probe=$MEWZ_PROBE\" >&2; exit 1; }")], concurrency: 1,
                environment: ["MEWZ_PROBE": "yes"])
        }
        #expect(error == nil)
    }

    @Test func missingExecutable() {
        let error = Self.runError([ToolInvocation(executable: "/nonexistent/cc", arguments: [], label: "cc")])
        #expect(error?.description == "cannot run /nonexistent/cc: No such file or directory")
    }

    /// Four half-second jobs: all at once in well under the 2 s they take in
    /// a row; one at a time in at least 2 s.
    @Test func runsInParallelUpToTheLimit() {
        let clock = ContinuousClock()
        let jobs = (0..<4).map { _ in Self.shell("sleep 0.5") }
        let parallel = clock.measure { #expect(Self.runError(jobs, concurrency: 4) == nil) }
        #expect(parallel < .milliseconds(1500))
        let serial = clock.measure { #expect(Self.runError(jobs, concurrency: 1) == nil) }
        #expect(serial >= .milliseconds(2000))
    }

    /// After a failure nothing new starts and running jobs are killed.
    @Test func failureStopsTheRest() {
        let directory = TemporaryDirectory()
        let marker = directory.path + "/started"
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let error = Self.runError(
                [Self.shell("exit 1", label: "first"), Self.shell("exec sleep 5"), Self.shell("touch \(marker)")], concurrency: 2)
            #expect(error?.description == "first failed (exit status 1)")
        }
        #expect(elapsed < .seconds(4))
        #expect(Fixtures.entries(directory.path).isEmpty)
    }
}
