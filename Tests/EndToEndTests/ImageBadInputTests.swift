import Foundation
import Testing

/// Bad input around images and the rootfs: one line, a non-zero exit, no state left.
@Suite(.needsBinary)
struct ImageBadInputTests {
    func expectCleanFailure(_ result: Runtime.Result, mentioning fragment: String, runtime: Runtime,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status != 0, sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("mewz-runtime: "), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(fragment), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout == "", sourceLocation: sourceLocation)
        #expect(runtime.leftoverState().isEmpty, sourceLocation: sourceLocation)
    }

    @Test(arguments: ["../outside", "rootfs/../../outside", "link-out"])
    func rootfsThatEscapesTheBundle(rootPath: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello", name: "escape-\(UUID().uuidString.prefix(6))")
        let outside = runtime.scratch.appendingPathComponent("outside").path
        try? FileManager.default.copyItem(atPath: bundle + "/rootfs", toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: bundle + "/link-out", withDestinationPath: outside)
        try ImageBuildTests.setRoot(bundle, to: rootPath)
        for command in ["create", "run"] {
            let result = try runtime.run([command, "--bundle", bundle, "escape"])
            expectCleanFailure(result, mentioning: "root.path \"\(rootPath)\" leads outside the bundle", runtime: runtime)
        }
        let build = try runtime.run(["build", "--bundle", bundle], withRoot: false)
        expectCleanFailure(build, mentioning: "leads outside the bundle", runtime: runtime)
    }

    /// A symlinked rootfs that stays inside the bundle is fine.
    @Test(.needsKVM) func rootfsSymlinkInsideTheBundle() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        try FileManager.default.createSymbolicLink(atPath: bundle + "/root-link", withDestinationPath: "rootfs")
        try ImageBuildTests.setRoot(bundle, to: "root-link")
        let result = try runtime.run(["run", "--bundle", bundle, "inside"])
        #expect(result.status == 0)
        #expect(result.stdout == "Hello, world!\n")
    }

    /// A prebuilt image that fails its header checks is an error, not silently rebuilt.
    @Test(arguments: [
        ("truncated", "image truncated"),
        ("other version", "image format version 1 is not supported"),
        ("other abi", "guest ABI version 2"),
        ("garbage", "not a mewz image"),
    ])
    func damagedPrebuiltImage(damage: String, message: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let build = try runtime.run(["build", "--bundle", bundle], withRoot: false)
        #expect(build.status == 0, "\(build.stderr)")
        let path = bundle + "/mewz.img"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        switch damage {
        case "truncated": bytes = Array(bytes.prefix(bytes.count - 4096))
        case "other version": bytes[8] = 1
        case "other abi": bytes[16] = 2
        default: bytes = Array("MZ\u{90}\0".utf8) + bytes.dropFirst(4)
        }
        if damage == "other abi" || damage == "other version" {
            // Keep the checksum right: the header is otherwise whole.
            try FileManager.default.removeItem(atPath: path)
            try Self.rechecksum(&bytes)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try runtime.run(["create", "--bundle", bundle, "damaged"])
        expectCleanFailure(result, mentioning: message, runtime: runtime)
        #expect(result.stderr.contains("prebuilt image \(path)"))
    }

    /// A file of the rootfs the runtime cannot read: one clear error (as root, by running the
    /// runtime without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH).
    @Test(.enabled(if: Runtime.isRoot && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv"))
    func unreadableFileInTheRootfs() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let secret = bundle + "/rootfs/secret"
        try Data("x".utf8).write(to: URL(fileURLWithPath: secret))
        chmod(secret, 0)
        let result = try runtime.run(["run", "--bundle", bundle, "unreadable"],
                                     wrapper: ["/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search"])
        expectCleanFailure(result, mentioning: "cannot read \(secret) in the rootfs: Permission denied", runtime: runtime)
        let leftovers = (try? FileManager.default.subpathsOfDirectory(atPath: runtime.cacheDirectory)) ?? []
        #expect(leftovers.filter { $0.contains("rofs") && $0.hasSuffix(".img") }.isEmpty)
        #expect(leftovers.filter { $0.contains(".tmp-") }.isEmpty)
    }

    /// The header checksum (SHA-256 of bytes 0..<200 at 200) recomputed by sha256sum.
    static func rechecksum(_ bytes: inout [UInt8]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes[0..<200]))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let hex = Array(text.prefix(64).utf8)
        for index in 0..<32 {
            bytes[200 + index] = UInt8(String(decoding: hex[index * 2..<index * 2 + 2], as: UTF8.self), radix: 16) ?? 0
        }
    }
}
