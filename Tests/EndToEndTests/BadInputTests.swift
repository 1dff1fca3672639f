import Foundation
import Testing

/// Bad input gets one line on stderr, a non-zero exit, and leaves no state
/// behind (no container directory under --root, no process).
@Suite(.needsBinary)
struct BadInputTests {
    /// Asserts the failure shape shared by every bad input.
    func expectCleanFailure(_ result: Runtime.Result, mentioning fragment: String,
                            runtime: Runtime, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status != 0, sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("mewz-runtime: "), "stderr: \(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(result.stderr.contains(fragment), "stderr: \(result.stderr)",
                sourceLocation: sourceLocation)
        #expect(result.stdout == "", sourceLocation: sourceLocation)
        #expect(runtime.leftoverState().isEmpty, sourceLocation: sourceLocation)
    }

    func replaceModule(in bundle: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: bundle + "/rootfs/hello.wasm"))
    }

    @Test(arguments: ["run", "create"])
    func notAWasmModule(command: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        try replaceModule(in: bundle, with: Array("#!/bin/sh\necho hi\n".utf8))
        let result = try runtime.run([command, "--bundle", bundle, "bad-magic"])
        expectCleanFailure(result, mentioning: "not a WebAssembly module", runtime: runtime)
    }

    /// 8 bytes is a complete, empty module: valid but no WASI command.
    @Test(arguments: [(8, "no \"_start\" export"), (100, "malformed module at offset"),
                      (20_000, "malformed module at offset")])
    func truncatedModule(length: Int, reason: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: bundle + "/rootfs/hello.wasm")))
        try replaceModule(in: bundle, with: Array(original.prefix(length)))
        let result = try runtime.run(["run", "--bundle", bundle, "truncated"])
        expectCleanFailure(result, mentioning: reason, runtime: runtime)
    }

    /// A module importing functions the guest does not provide fails the
    /// build, naming every one of them (sock_open is WasmEdge's, not
    /// preview1's).
    @Test func unsupportedImportsAreNamed() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        func name(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }
        var module: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        // types: (i32 i32 i32 i32) -> i32, () -> ()
        module += [0x01, 0x0C, 0x02, 0x60, 0x04, 0x7F, 0x7F, 0x7F, 0x7F, 0x01, 0x7F, 0x60, 0x00, 0x00]
        let imports = [0x02] + name("wasi_snapshot_preview1") + name("no_such_call") + [0x00, 0x00]
            + name("env") + name("foo") + [0x00, 0x01]
        module += [0x02, UInt8(imports.count)] + imports
        module += [0x03, 0x02, 0x01, 0x01]                                  // one function: () -> ()
        module += [0x07, 0x0A, 0x01] + name("_start") + [0x00, 0x02]        // export _start = func 2
        module += [0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B]                      // empty body
        try replaceModule(in: bundle, with: module)
        let result = try runtime.run(["run", "--bundle", bundle, "imports"])
        expectCleanFailure(result, mentioning: "wasi_snapshot_preview1.no_such_call", runtime: runtime)
        #expect(result.stderr.contains("env.foo"))
    }

    /// linux.resources.memory.limit too small for the module's initial memory.
    @Test(.needsKVM) func memoryLimitBelowTheModulesInitialMemory() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello", memoryLimit: 33 << 20)
        let result = try runtime.run(["run", "--bundle", bundle, "small-memory"])
        expectCleanFailure(result, mentioning: "memory", runtime: runtime)
    }

    @Test func missingBundle() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let result = try runtime.run(["run", "--bundle", runtime.scratch.path + "/nope", "no-bundle"])
        expectCleanFailure(result, mentioning: "nope", runtime: runtime)
    }

    @Test func missingConfig() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        try FileManager.default.removeItem(atPath: bundle + "/config.json")
        let result = try runtime.run(["create", "--bundle", bundle, "no-config"])
        expectCleanFailure(result, mentioning: "config.json", runtime: runtime)
    }

    @Test(arguments: ["{", "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": 5}}", "[]", ""])
    func invalidConfig(text: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        try Data(text.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        let result = try runtime.run(["run", "--bundle", bundle, "bad-config"])
        expectCleanFailure(result, mentioning: "config.json", runtime: runtime)
    }

    @Test func missingModuleFile() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello", args: ["/missing.wasm"])
        let result = try runtime.run(["run", "--bundle", bundle, "no-module"])
        expectCleanFailure(result, mentioning: "/missing.wasm", runtime: runtime)
    }

    @Test func missingToolchainNamesPackagesAndVariables() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let result = try runtime.run(["run", "--bundle", bundle, "no-cc"],
                                     environment: ["MEWZ_CC": "/nonexistent/clang"])
        expectCleanFailure(result, mentioning: "MEWZ_CC", runtime: runtime)
        #expect(result.stderr.contains("clang-19"))
        let images = (try? FileManager.default.subpathsOfDirectory(atPath: runtime.cacheDirectory)) ?? []
        #expect(images.filter { $0.hasSuffix(".img") }.isEmpty)
    }

    @Test func missingLinkerNamesPackagesAndVariables() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let result = try runtime.run(["run", "--bundle", bundle, "no-ld"],
                                     environment: ["MEWZ_LD": "/nonexistent/ld.lld"])
        expectCleanFailure(result, mentioning: "MEWZ_LD", runtime: runtime)
        #expect(result.stderr.contains("lld-19"))
    }

    @Test func idThatAlreadyExistsIsRefusedWithoutTouchingIt() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        try FileManager.default.createDirectory(atPath: runtime.stateRoot + "/taken",
                                                withIntermediateDirectories: true)
        let result = try runtime.run(["create", "--bundle", bundle, "taken"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("already exists"))
        #expect(FileManager.default.fileExists(atPath: runtime.stateRoot + "/taken"))
    }

    @Test(arguments: ["..", "a/b", "", "bad id"])
    func invalidContainerID(id: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let result = try runtime.run(["create", "--bundle", runtime.bundle("hello"), id])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("mewz-runtime: "))
        #expect(runtime.leftoverState().isEmpty)
    }
}

/// /dev/kvm missing or unusable: hidden in a private mount namespace
/// (needs root and unshare), so the test exercises the real open() path.
@Suite(.needsBinary, .enabled(if: Runtime.isRoot, "needs root for a private mount namespace"))
struct MissingKVMTests {
    @Test func kvmDeviceMissing() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        // Warm the cache first so the failure is about KVM, not the build.
        _ = try runtime.run(["run", "--bundle", bundle, "warm"])
        let emptyDev = runtime.scratch.appendingPathComponent("dev").path
        try FileManager.default.createDirectory(atPath: emptyDev, withIntermediateDirectories: true)
        let script = "mount --bind \"$0\" /dev && exec \"$@\""
        let result = try runtime.run(["run", "--bundle", bundle, "no-kvm"],
                                     wrapper: ["/usr/bin/unshare", "--mount", "--propagation", "private",
                                               "/bin/sh", "-c", script, emptyDev])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("mewz-runtime: "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("/dev/kvm"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(runtime.leftoverState().isEmpty)
    }

    @Test func kvmDeviceNotAKVMDevice() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        _ = try runtime.run(["run", "--bundle", bundle, "warm"])
        let script = "mount --bind /dev/null /dev/kvm && exec \"$@\""
        let result = try runtime.run(["run", "--bundle", bundle, "fake-kvm"],
                                     wrapper: ["/usr/bin/unshare", "--mount", "--propagation", "private",
                                               "/bin/sh", "-c", script, "sh"])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("mewz-runtime: "), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("/dev/kvm"))
        #expect(runtime.leftoverState().isEmpty)
    }
}
