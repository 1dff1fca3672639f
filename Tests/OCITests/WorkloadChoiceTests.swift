import Testing
@testable import OCI

/// Which bundles are mewz-runtime's, what the monitor enters, and what the fallback gets.
@Suite struct WorkloadChoiceTests {
    @Test(arguments: [
        ([:], "/app.wasm", WorkloadChoice.byMagic),
        (["io.kubernetes.cri.container-type": "sandbox"], "/pause", .sandbox),
        (["io.kubernetes.cri-o.ContainerType": "sandbox", "run.oci.handler": "wasm"], "/app.wasm", .sandbox),
        (["io.kubernetes.cri.container-type": "container"], "/app.wasm", .byMagic),
        (["run.oci.handler": "wasm"], "/bin/app", .wasm),
        (["run.oci.handler": "wasm-smart"], "/app.wasm", .wasm),
        (["run.oci.handler": "wasm-smart"], "/app.wat", .wasm),
        (["run.oci.handler": "wasm-smart"], "/bin/sh",
         .notWasm(reason: "run.oci.handler=wasm-smart and /bin/sh does not end in .wasm")),
        (["run.oci.handler": "krun", "module.wasm.image/variant": "compat"], "/app.wasm",
         .notWasm(reason: "run.oci.handler=krun")),
        (["module.wasm.image/variant": "compat"], "/bin/app", .wasm),
        (["module.wasm.image/variant": "compat-smart"], "/app.wasm", .wasm),
        (["module.wasm.image/variant": "compat-smart"], "/bin/app",
         .notWasm(reason: "module.wasm.image/variant=compat-smart and /bin/app does not end in .wasm")),
        (["module.wasm.image/variant": "other"], "/bin/app", .byMagic),
    ] as [([String: String], String, WorkloadChoice)])
    func choice(annotations: [String: String], first: String, expected: WorkloadChoice) {
        #expect(WorkloadChoice.decide(annotations: annotations, firstArgument: first) == expected)
    }

    @Test func namespacePlanEntersNetworkFirst() {
        let plan = NamespacePlan([
            .init(kind: .pid), .init(kind: .uts, path: "/proc/1/ns/uts"), .init(kind: .mount),
            .init(kind: .network, path: "/run/netns/x"), .init(kind: .ipc), .init(kind: .user),
        ])
        #expect(plan.actions == [.join(.network, path: "/run/netns/x"), .join(.uts, path: "/proc/1/ns/uts")])
        #expect(plan.ignored == [.pid, .mount, .user])
        #expect(NamespacePlan([.init(kind: .network)]).actions == [.create(.network)])
        #expect(NamespacePlan([]).actions.isEmpty)
    }

    @Test(arguments: [
        (["create", "--bundle", "/b", "c1"], ["--root", "/r", "create", "--bundle", "/b", "c1"]),
        (["--root", "/x", "--log", "/l", "--log-format=json", "create", "c1"],
         ["--root", "/r", "--log", "/l", "--log-format=json", "create", "c1"]),
        (["--root=/x", "--systemd-cgroup", "--fallback-runtime", "/usr/sbin/runc", "kill", "c1", "9"],
         ["--root", "/r", "--systemd-cgroup", "kill", "c1", "9"]),
        (["--fallback-runtime=/f", "--debug", "state", "--root", "c1"],
         ["--root", "/r", "--debug", "state", "--root", "c1"]),
    ])
    func fallbackArguments(original: [String], expected: [String]) {
        #expect(FallbackRuntime.arguments(original, root: "/r") == expected)
    }

    @Test func configFile() throws {
        let text = "# mewz-runtime\n\n  fallback-runtime = \"/usr/sbin/runc\"  \n"
        #expect(try RuntimeConfigFile.parse(text, source: "c") == ["fallback-runtime": "/usr/sbin/runc"])
        #expect(try RuntimeConfigFile.parse("fallback-runtime=", source: "c") == ["fallback-runtime": ""])
        #expect(throws: OCIError.invalidConfigFile("c", line: 2, reason: "unknown key \"runtime\"")) {
            try RuntimeConfigFile.parse("\nruntime = x", source: "c")
        }
        #expect(throws: OCIError.invalidConfigFile("c", line: 1, reason: "expected key = value")) {
            try RuntimeConfigFile.parse("fallback-runtime", source: "c")
        }
    }

    @Test func fallbackPrecedence() throws {
        #expect(try FallbackRuntime.configured(flag: "/flag", environment: ["MEWZ_FALLBACK_RUNTIME": "/env"]) == "/flag")
        #expect(try FallbackRuntime.configured(flag: "", environment: ["MEWZ_FALLBACK_RUNTIME": "/env"]) == nil)
        #expect(try FallbackRuntime.configured(flag: nil, environment: ["MEWZ_FALLBACK_RUNTIME": "/env"]) == "/env")
        #expect(throws: OCIError.self) {
            try FallbackRuntime.configured(flag: nil, environment: ["MEWZ_RUNTIME_CONFIG": "/nonexistent/mewz-config"])
        }
    }

    @Test(arguments: ["1.0.0", "1.0.2-dev", "1.2.0", "1.3.0", "1.10.7-rc.1"])
    func supportedOCIVersions(version: String) {
        #expect(Spec.isSupported(ociVersion: version))
    }

    @Test(arguments: ["", "1", "1.0", "2.0.0", "0.9.0", "1.x.0", "v1.0.0", "1.0.0.0"])
    func unsupportedOCIVersions(version: String) {
        #expect(!Spec.isSupported(ociVersion: version))
    }

    @Test func linuxSection() throws {
        let text = """
            {"ociVersion":"1.0.0","process":{"args":["/a.wasm"],"cwd":"/","consoleSize":{"height":24,"width":80}},
             "root":{"path":"r"},
             "linux":{"namespaces":[{"type":"network","path":"/run/netns/n"},{"type":"pid"},{"type":"ipc","path":""}],
                      "cgroupsPath":"/pods/c1",
                      "resources":{"memory":{"limit":1048576,"swap":-1},"pids":{"limit":7},
                                   "cpu":{"shares":100,"quota":1000,"period":2000,"cpus":"0-1","mems":"0"}}}}
            """
        let spec = try Spec.parse(Array(text.utf8), source: "c")
        #expect(spec.process.consoleSize == Spec.ConsoleSize(height: 24, width: 80))
        #expect(spec.linux.namespaces == [.init(kind: .network, path: "/run/netns/n"), .init(kind: .pid), .init(kind: .ipc)])
        #expect(spec.linux.cgroupsPath == "/pods/c1")
        var resources = Spec.Resources()
        resources.memoryLimit = 1_048_576
        resources.memorySwap = -1
        resources.pidsLimit = 7
        resources.cpuShares = 100
        resources.cpuQuota = 1000
        resources.cpuPeriod = 2000
        resources.cpusetCPUs = "0-1"
        resources.cpusetMems = "0"
        #expect(spec.linux.resources == resources)
    }

    @Test(arguments: [
        (#"{"namespaces":[{"type":"net"}]}"#,
         "c: linux.namespaces[0].type is not a namespace type (pid, network, mount, ipc, uts, user, cgroup, time)"),
        (#"{"namespaces":[{"type":"pid"},{"type":"pid"}]}"#, "c: linux.namespaces[1].type \"pid\" appears twice"),
        (#"{"namespaces":[{"type":"network","path":"netns"}]}"#, "c: linux.namespaces[0].path must be an absolute path"),
        (#"{"cgroupsPath":5}"#, "c: linux.cgroupsPath must be a string, not a number"),
        (#"{"resources":{"cpu":{"shares":-1}}}"#, "c: linux.resources.cpu.shares must not be negative"),
    ])
    func badLinuxSections(linux: String, message: String) {
        let text = #"{"ociVersion":"1.0.0","process":{"args":["/a"],"cwd":"/"},"root":{"path":"r"},"linux":"# + linux + "}"
        var failure: String?
        do {
            _ = try Spec.parse(Array(text.utf8), source: "c")
        } catch {
            failure = error.message
        }
        #expect(failure == message)
    }
}
