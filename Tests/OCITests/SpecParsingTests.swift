import Testing
@testable import OCI

@Suite struct SpecParsingTests {
    static let source = "/b/config.json"

    private func parse(_ text: String) throws(OCIError) -> Spec {
        try Spec.parse(Array(text.utf8), source: SpecParsingTests.source)
    }

    private func failure(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func fullConfig() throws {
        let spec = try parse("""
            {
              "ociVersion": "1.2.0",
              "process": {"terminal": false, "user": {"uid": 0, "gid": 0},
                          "args": ["/app.wasm", "--port", "8080"], "env": ["PATH=/bin", "A=b=c", "EMPTY="],
                          "cwd": "/srv"},
              "root": {"path": "rootfs", "readonly": true},
              "hostname": "ignored",
              "annotations": {"module.wasm.image/variant": "compat", "k": ""},
              "hooks": {"prestart": [{"path": "/bin/hook", "args": ["hook", "x"], "env": ["A=1"], "timeout": 5}],
                        "poststop": [{"path": "/bin/stop"}]},
              "linux": {"resources": {"memory": {"limit": 134217728}}, "namespaces": []}
            }
            """)
        #expect(spec.ociVersion == "1.2.0")
        #expect(spec.process == Spec.Process(terminal: false, args: ["/app.wasm", "--port", "8080"],
                                             env: ["PATH=/bin", "A=b=c", "EMPTY="], cwd: "/srv"))
        #expect(spec.root == Spec.Root(path: "rootfs", readonly: true))
        #expect(spec.annotations == ["module.wasm.image/variant": "compat", "k": ""])
        #expect(spec.hooks.prestart == [Spec.Hook(path: "/bin/hook", args: ["hook", "x"], env: ["A=1"], timeout: 5)])
        #expect(spec.hooks.poststop == [Spec.Hook(path: "/bin/stop", args: [], env: nil, timeout: nil)])
        #expect(spec.hooks.createRuntime.isEmpty)
        #expect(spec.memoryLimit == 134_217_728)
    }

    @Test func minimalConfigAndNulls() throws {
        let spec = try parse("""
            {"ociVersion":"1.0.2","process":{"args":["a.wasm"],"cwd":"/","env":null,"terminal":null},
             "root":{"path":"/abs/rootfs"},"annotations":null,"hooks":null,"linux":{"resources":null}}\t\r\n
            """)
        #expect(spec.process.env.isEmpty)
        #expect(!spec.process.terminal)
        #expect(!spec.root.readonly)
        #expect(spec.annotations.isEmpty)
        #expect(spec.hooks.isEmpty)
        #expect(spec.memoryLimit == nil)
    }

    static let valid = #"{"ociVersion":"1.0.0","process":{"args":["/a.wasm"],"cwd":"/"},"root":{"path":"r"}}"#

    @Test(arguments: [
        ("", "/b/config.json: invalid JSON at line 1, column 1: unexpected end of data"),
        ("{", "/b/config.json: invalid JSON at line 1, column 2: unexpected end of data"),
        ("{\n  \"a\": tru }", "/b/config.json: invalid JSON at line 2, column 11: boolean expected"),
        (valid + " {}", "/b/config.json: invalid JSON at line 1, column \(valid.count + 2): unexpected data after the JSON value"),
        ("{'a': 1}", "/b/config.json: invalid JSON at line 1, column 2: unexpected character"),
        ("{\"a\": 1,}", "/b/config.json: invalid JSON at line 1, column 9: unexpected character"),
        ("null", "/b/config.json: (root) must be an object, not null"),
        ("[]", "/b/config.json: (root) must be an object, not an array"),
        ("{}", "/b/config.json: ociVersion is required"),
        (#"{"ociVersion":1}"#, "/b/config.json: ociVersion must be a string, not a number"),
        (#"{"ociVersion":"1.0.0"}"#, "/b/config.json: process is required"),
        (#"{"ociVersion":"1.0.0","process":[]}"#, "/b/config.json: process must be an object, not an array"),
        (#"{"ociVersion":"1.0.0","process":{"cwd":"/"}}"#, "/b/config.json: process.args is required"),
        (#"{"ociVersion":"1.0.0","process":{"args":"/a","cwd":"/"}}"#, "/b/config.json: process.args must be an array, not a string"),
        (#"{"ociVersion":"1.0.0","process":{"args":[],"cwd":"/"}}"#, "/b/config.json: process.args must not be empty"),
        (#"{"ociVersion":"1.0.0","process":{"args":[""],"cwd":"/"}}"#, "/b/config.json: process.args[0] must not be empty"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a",7],"cwd":"/"}}"#, "/b/config.json: process.args[1] must be a string, not a number"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a\u0000b"],"cwd":"/"}}"#, "/b/config.json: process.args[0] contains a NUL character"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/","terminal":"yes"}}"#, "/b/config.json: process.terminal must be a boolean, not a string"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/","env":["NOEQUALS"]}}"#, "/b/config.json: process.env[0] must have the form NAME=VALUE"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/","env":["=v"]}}"#, "/b/config.json: process.env[0] has an empty variable name"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/","env":{}}}"#, "/b/config.json: process.env must be an array, not an object"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"]}}"#, "/b/config.json: process.cwd is required"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"srv"}}"#, "/b/config.json: process.cwd must be an absolute path"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"}}"#, "/b/config.json: root is required"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{}}"#, "/b/config.json: root.path is required"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":""}}"#, "/b/config.json: root.path must not be empty"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r","readonly":1}}"#, "/b/config.json: root.readonly must be a boolean, not a number"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"annotations":{"k":1}}"#, "/b/config.json: annotations.k must be a string, not a number"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"annotations":[]}"#, "/b/config.json: annotations must be an object, not an array"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"linux":{"resources":{"memory":{"limit":"1G"}}}}"#, "/b/config.json: linux.resources.memory.limit must be an integer, not a string"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"linux":{"resources":{"memory":{"limit":1.5}}}}"#, "/b/config.json: linux.resources.memory.limit must be an integer, not a number"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"linux":{"resources":{"memory":{"limit":99999999999999999999}}}}"#, "/b/config.json: linux.resources.memory.limit is out of range"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"hooks":{"prestart":{}}}"#, "/b/config.json: hooks.prestart must be an array, not an object"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"hooks":{"poststart":[{}]}}"#, "/b/config.json: hooks.poststart[0].path is required"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"hooks":{"poststart":[{"path":"rel"}]}}"#, "/b/config.json: hooks.poststart[0].path must be an absolute path"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"hooks":{"poststop":[{"path":"/h","timeout":0}]}}"#, "/b/config.json: hooks.poststop[0].timeout must be greater than zero"),
        (#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"hooks":{"poststop":[{"path":"/h","args":[1]}]}}"#, "/b/config.json: hooks.poststop[0].args[0] must be a string, not a number"),
    ])
    func rejects(text: String, message: String) {
        #expect(failure(text) == message)
    }

    @Test func rejectsInvalidUTF8() {
        var bytes = Array(SpecParsingTests.valid.utf8)
        bytes.insert(0xFF, at: 15)  // inside the ociVersion string
        #expect(throws: OCIError.self) { try Spec.parse(bytes, source: "x") }
    }

    @Test func rejectsDeepNesting() {
        let text = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(failure("{\"a\":" + text + "}")?.contains("invalid JSON") == true)
    }
}
