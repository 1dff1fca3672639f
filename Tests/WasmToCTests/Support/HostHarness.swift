import Foundation
import WasmToC

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Compiles lowered modules with the host clang against Guest/include and
/// Harness/harness.c, and runs them.
enum HostHarness {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let includeDirectory = repositoryRoot.appendingPathComponent("Guest/include").path
    static let harnessSource = repositoryRoot.appendingPathComponent("Tests/WasmToCTests/Harness/harness.c").path

    /// The toolchain's clang, else Debian's.
    static let clang: String? = ["/opt/swift/usr/bin/clang", "/usr/bin/clang", "/usr/bin/clang-19"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var available: Bool { clang != nil }

    /// A directory of generated files, removed with its owner unless
    /// WASMTOC_KEEP is set (to read the C of a failing test).
    final class Workspace {
        let url: URL
        init(_ lowered: LoweredModule, extra: [(name: String, contents: String)] = []) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("wasmtoc-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for file in lowered.files + extra {
                try file.contents.write(to: url.appendingPathComponent(file.name), atomically: false, encoding: .utf8)
            }
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit {
            if ProcessInfo.processInfo.environment["WASMTOC_KEEP"] == nil {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    /// A host executable: generated C + harness (+ a driver defining
    /// harness_driver), -O2, warnings as errors for the generated code.
    final class Executable {
        let workspace: Workspace
        let path: String

        init(_ lowered: LoweredModule, driver: String? = nil, flags: [String] = []) throws {
            guard let clang = HostHarness.clang else { throw HarnessError(description: "no clang") }
            workspace = try Workspace(lowered, extra: driver.map { [("driver.c", $0)] } ?? [])
            path = workspace.path("a.out")
            var arguments = ["-std=c11", "-O2", "-Wall", "-Werror", "-I", HostHarness.includeDirectory] + flags
            arguments += lowered.files.filter { $0.name.hasSuffix(".c") }.map { workspace.path($0.name) }
            arguments += [HostHarness.harnessSource] + (driver == nil ? [] : [workspace.path("driver.c")])
            arguments += ["-o", path]
            let result = try HostHarness.run(clang, arguments, timeout: 120)
            guard result.status == 0 else {
                throw HarnessError(description: "clang failed (\(result.status)):\n\(result.stderr)")
            }
        }

        func run(_ arguments: [String] = [], timeout: Double = 20) throws -> ProcessResult {
            try HostHarness.run(path, arguments, timeout: timeout)
        }
    }

    /// Compiles each .c for the guest target, as ImageBuilder will:
    /// freestanding x86-64, -Wall -Werror.
    static func compileForGuest(_ lowered: LoweredModule, flags: [String] = [],
                                compiler: String? = nil) throws -> ProcessResult {
        guard let clang = compiler ?? clang else { throw HarnessError(description: "no clang") }
        let workspace = try Workspace(lowered)
        var combined = ProcessResult(status: 0, stdout: "", stderr: "")
        for file in lowered.files where file.name.hasSuffix(".c") {
            let arguments = ["-target", "x86_64-unknown-none", "-std=c11", "-O2", "-ffreestanding", "-nostdlib",
                             "-fno-pic", "-fno-pie", "-fno-stack-protector", "-I", includeDirectory,
                             "-Wall", "-Werror"] + flags
                + ["-c", workspace.path(file.name), "-o", workspace.path(file.name + ".o")]
            let result = try run(clang, arguments, timeout: 120)
            combined.stderr += result.stderr
            if result.status != 0 { combined.status = result.status }
        }
        return combined
    }

    /// Runs a program with stdout/stderr captured in files; kills it after
    /// `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], timeout: Double) throws -> ProcessResult {
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("wasmtoc-out-\(UUID().uuidString)")
        let errURL = directory.appendingPathComponent("wasmtoc-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw HarnessError(description: "\(executable) timed out after \(timeout) s")
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ProcessResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
