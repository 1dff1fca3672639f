import Foundation
import Testing
@testable import OCI

@Suite struct StateJSONTests {
    static let sample = ContainerState(
        id: "c1", pid: 4242, pidStartTime: 123_456, bundle: "/b", rootfs: "/b/rootfs",
        created: Timestamp(seconds: 1_767_323_045, nanoseconds: 123_456_789),
        annotations: [:], configDigest: "sha256:00", modulePath: "/app.wasm", imagePath: "/cache/x.img")

    @Test func runcLayoutWithoutAnnotations() {
        let text = StateJSONTests.sample.runcStateJSON(status: .running)
        #expect(text == """
            {
              "ociVersion": "1.2.0",
              "id": "c1",
              "pid": 4242,
              "status": "running",
              "bundle": "/b",
              "rootfs": "/b/rootfs",
              "created": "2026-01-02T03:04:05.123456789Z",
              "owner": ""
            }
            """)
        #expect(!text.hasSuffix("\n"))
    }

    @Test func annotationsSortedBeforeOwner() {
        var state = StateJSONTests.sample
        state.annotations = ["z": "1", "a<b": "x&y", "B": "\u{1}"]
        #expect(state.runcStateJSON(status: .created) == """
            {
              "ociVersion": "1.2.0",
              "id": "c1",
              "pid": 4242,
              "status": "created",
              "bundle": "/b",
              "rootfs": "/b/rootfs",
              "created": "2026-01-02T03:04:05.123456789Z",
              "annotations": {
                "B": "\\u0001",
                "a\\u003cb": "x\\u0026y",
                "z": "1"
              },
              "owner": ""
            }
            """)
    }

    /// The State hooks read: spec order, no pid when there is none, annotations only when set.
    @Test func hookState() {
        var state = StateJSONTests.sample
        #expect(state.hookStateJSON(status: "creating", pid: 7)
                == #"{"ociVersion":"1.2.0","id":"c1","status":"creating","pid":7,"bundle":"/b"}"#)
        state.annotations = ["b": "2", "a": "1"]
        #expect(state.hookStateJSON(status: "stopped", pid: nil)
                == #"{"ociVersion":"1.2.0","id":"c1","status":"stopped","bundle":"/b","annotations":{"a":"1","b":"2"}}"#)
    }

    @Test func stoppedReportsPidZero() throws {
        let text = StateJSONTests.sample.runcStateJSON(status: .stopped)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["pid"] as? Int == 0)
        #expect(object["status"] as? String == "stopped")
    }

    @Test(arguments: [
        ("plain", "\"plain\""),
        ("q\"b\\s/", #""q\"b\\s/""#),
        ("\n\r\t\u{8}\u{c}\u{1f}", #""\n\r\t\b\f\u001f""#),
        ("<>&", #""\u003c\u003e\u0026""#),
        ("\u{2028}\u{2029}é😀", "\"\\u2028\\u2029é😀\""),
    ])
    func goEscaping(text: String, quoted: String) {
        #expect(GoJSON.string(text).compact == quoted)
    }

    @Test func goLayouts() {
        let value = GoJSON.object([.init("a", .integer(-1)), .init("o", .object([])),
                                   .init("n", .object([.init("k", .string("v"))]))])
        #expect(value.compact == #"{"a":-1,"o":{},"n":{"k":"v"}}"#)
        #expect(value.indented == "{\n  \"a\": -1,\n  \"o\": {},\n  \"n\": {\n    \"k\": \"v\"\n  }\n}")
    }

    @Test func stateFileRoundTrip() throws {
        var state = StateJSONTests.sample
        state.annotations = ["k": "v/\"w\"", "é": "\u{1}"]
        state.cgroup = ContainerCgroup(directories: ["memory": "/sys/fs/cgroup/memory/c1", "unified": "/sys/fs/cgroup/u/c1"])
        state.hooks.startContainer = [Spec.Hook(path: "/h", args: ["h", "a"], env: [], timeout: 3)]
        state.hooks.poststop = [Spec.Hook(path: "/p")]
        let bytes = state.encoded()
        #expect(bytes.last == 0x0A)
        #expect(try ContainerState.decode(bytes, source: "s") == state)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["runtime"] as? String == "mewz-runtime")
    }

    @Test(arguments: [
        (#"{"ociVersion":"1.0.0","id":"c1","pid":1,"status":"running","bundle":"/b"}"#,
         "s: not a mewz-runtime state file"),
        (#"{"runtime":"mewz-runtime","formatVersion":1}"#, "s: unsupported state format version 1"),
        (#"{"runtime":"mewz-runtime","formatVersion":2,"pid":"1"}"#, "s: pid must be an integer, not a string"),
        (#"{"runtime":"mewz-runtime","formatVersion":2,"pid":0}"#, "s: pid is out of range"),
        (#"{"runtime":"mewz-runtime","formatVersion":2,"pid":5}"#, "s: pidStartTime is required"),
    ])
    func stateFileRejects(text: String, message: String) {
        var failure: String?
        do {
            _ = try ContainerState.decode(Array(text.utf8), source: "s")
        } catch {
            failure = error.message
        }
        #expect(failure == message)
    }
}
