import Foundation
import Glibc
import Testing
@testable import OCI

extension BinaryLifecycleTests {
    @Test func featuresSpecAndRefusedCommandsThroughTheBinary() throws {
        let harness = try RuntimeHarness()
        let features = try harness.run(["features"])
        #expect(features.exit == .exited(0))
        #expect(features.stdout == RuntimeFeatures.json)

        let empty = try harness.run(["list", "--format", "json"])
        #expect(empty.exit == .exited(0) && empty.stdout == "null\n" && empty.stderr.isEmpty)

        let bundle = harness.work + "/spec-bundle"
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        #expect(try harness.run(["spec", "--bundle", bundle]).exit == .exited(0))
        #expect(try String(contentsOfFile: bundle + "/config.json", encoding: .utf8) == SampleSpec.json)
        let again = try harness.run(["spec", "-b", bundle])
        #expect(again.exit == .exited(1))
        #expect(again.stderr == "mewz-runtime: File config.json exists. Remove it first\n")

        let exec = try harness.run(["exec", "--process", "/p.json", "--detach", "c"])
        #expect(exec.exit == .exited(1))
        #expect(exec.stderr == "mewz-runtime: exec is not supported: a unikernel runs exactly one process\n")
        // podman treats a successful `checkpoint --help` as "this runtime can checkpoint".
        #expect(try harness.run(["checkpoint", "--help"]).exit == .exited(1))
        let pauseHelp = try harness.run(["pause", "--help"])
        #expect(pauseHelp.exit == .exited(0) && pauseHelp.stdout.contains("mewz-runtime pause - "))
    }

    @Test(.needsKVM) func listAndPsFollowTheContainer() throws {
        let harness = try RuntimeHarness()
        let bundle = try harness.bundle("b", args: ["/app.wasm", "spin"])
        let pidFile = harness.work + "/pid"
        let created = try harness.run(["create", "--bundle", bundle, "--pid-file", pidFile, "lp"],
                                      stdoutPath: harness.work + "/out")
        try #require(created.exit == .exited(0), "\(created.stderr)")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        let owner = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "#\(geteuid())"

        let listed = try harness.run(["list", "--format=json"])
        #expect(listed.exit == .exited(0) && listed.stderr.isEmpty)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        #expect(array.first?["id"] as? String == "lp")
        #expect(array.first?["pid"] as? Int == Int(pid))
        #expect(array.first?["status"] as? String == "created")
        #expect(array.first?["bundle"] as? String == bundle)
        #expect(array.first?["owner"] as? String == owner)
        #expect(try harness.run(["list", "-q"]).stdout == "lp\n")
        let table = try harness.run(["list"]).stdout.split(separator: "\n")
        #expect(table.count == 2 && table.last?.hasPrefix("lp ") == true && table.last?.hasSuffix(" " + owner) == true)

        let ps = try harness.run(["ps", "--format", "json", "lp"])
        #expect(ps.exit == .exited(0) && ps.stderr.isEmpty)
        #expect(ps.stdout == "[\(pid)]\n")
        #expect(try harness.run(["ps", "lp"]).stdout == "PID\n\(pid)\n")

        #expect(try harness.run(["kill", "lp", "KILL"]).exit == .exited(0))
        #expect(harness.reap(pid) == .signaled(SIGKILL))
        #expect(try harness.run(["ps", "--format", "json", "lp"]).stdout == "[]\n")
        let stopped = try harness.run(["list", "--format", "json"]).stdout
        #expect(stopped.contains(#""status":"stopped""#) && stopped.contains(#""pid":0"#))
        #expect(try harness.run(["delete", "lp"]).exit == .exited(0))
        #expect(try harness.run(["list", "--format", "json"]).stdout == "null\n")
        let missing = try harness.run(["ps", "lp"])
        #expect(missing.exit == .exited(1) && missing.stderr == "mewz-runtime: container does not exist\n")
    }
}
