import Foundation
import Testing
@testable import OCI

/// `features` (runtime-spec features.md) and `spec` (runc's sample config.json), as text.
@Suite struct FeaturesAndSpecTests {
    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func featuresCarryTheVersionsCRIORequires() throws {
        let features = try object(RuntimeFeatures.json)
        #expect(features["ociVersionMin"] as? String == "1.0.0")
        #expect(features["ociVersionMax"] as? String == ContainerState.ociVersion)
        #expect(features["hooks"] as? [String]
                == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"])
        #expect(features["mountOptions"] as? [String] == [])
        #expect(features["annotations"] as? [String: String] == ["io.github.mewz-runtime.kind": "wasm-unikernel"])
    }

    @Test func featuresUseTheFieldNamesOfFeaturesMD() throws {
        let linux = try #require(try object(RuntimeFeatures.json)["linux"] as? [String: Any])
        #expect(Set(linux.keys) == ["namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux",
                                    "intelRdt", "mountExtensions"])
        let cgroup = try #require(linux["cgroup"] as? [String: Bool])
        #expect(cgroup == ["v1": true, "v2": true, "systemd": true, "systemdUser": false, "rdma": false])
        #expect(linux["namespaces"] as? [String] == ["network", "ipc", "uts"])
        for name in ["seccomp", "apparmor", "selinux", "intelRdt"] {
            #expect((linux[name] as? [String: Bool])?["enabled"] == false, "\(name)")
        }
        let idmap = (linux["mountExtensions"] as? [String: Any])?["idmap"] as? [String: Bool]
        #expect(idmap == ["enabled": false])  // CRI-O enables idmap mounts only if advertised
    }

    @Test func featuresTextIsIndentedWithATrailingNewline() {
        #expect(RuntimeFeatures.json.hasPrefix("{\n  \"ociVersionMin\": \"1.0.0\",\n  \"ociVersionMax\": "))
        #expect(RuntimeFeatures.json.hasSuffix("}\n"))
    }

    @Test func sampleSpecIsAcceptedByTheConfigParser() throws {
        let spec = try Spec.parse(Array(SampleSpec.json.utf8), source: "config.json")
        #expect(spec.ociVersion == ContainerState.ociVersion)
        #expect(spec.process.args == ["/app.wasm"])
        #expect(spec.process.terminal == false)
        #expect(spec.process.cwd == "/")
        #expect(spec.process.env.first?.hasPrefix("PATH=") == true)
        #expect(spec.root.path == "rootfs")
        #expect(spec.root.readonly)
    }

    @Test func sampleSpecNamesTheUsualNamespaces() throws {
        let linux = try #require(try object(SampleSpec.json)["linux"] as? [String: Any])
        let types = (linux["namespaces"] as? [[String: String]])?.compactMap { $0["type"] }
        #expect(types == ["pid", "network", "ipc", "uts", "mount"])
    }

    @Test func goJSONArraysAndLiteralsMatchEncodingJSON() {
        let value = GoJSON.object([.init("a", .array([.integer(1), .bool(true), .null])), .init("e", .array([]))])
        #expect(value.compact == #"{"a":[1,true,null],"e":[]}"#)
        #expect(value.indented == "{\n  \"a\": [\n    1,\n    true,\n    null\n  ],\n  \"e\": []\n}")
    }
}
