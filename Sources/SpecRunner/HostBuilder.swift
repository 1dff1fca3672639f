import Foundation

struct BuildError: Error, CustomStringConvertible {
    let description: String
    static func compilerFailed(_ output: String) -> BuildError {
        BuildError(description: "clang failed: " + (output.split(separator: "\n").first { $0.contains("error") }.map(String.init) ?? output.prefix(300).description))
    }
    static func missing(_ what: String) -> BuildError { BuildError(description: "missing \(what)") }
}

/// Builds host executables (generated module + driver + harness) with
/// clang, cached by content under the cache directory: a key is the hash
/// of every input byte and flag, so an unchanged module is never rebuilt.
struct HostBuilder {
    let clang: String
    let includeDirectory: String
    let harnessDirectory: String
    let harnessSources: [String]
    let cacheDirectory: URL
    let flags = ["-std=gnu11", "-O2", "-march=x86-64-v2", "-w", "-fno-strict-aliasing"]

    /// Contents of everything every executable depends on besides its own files.
    private let sharedInputs: String

    init(clang: String, repository: URL, cacheDirectory: URL) throws {
        self.clang = clang
        let include = repository.appendingPathComponent("Guest/include").path
        includeDirectory = include
        let harness = repository.appendingPathComponent("Tests/WasmToCTests/Harness").path
        harnessDirectory = harness
        harnessSources = ["harness.c", "spectest.c"].map { "\(harness)/\($0)" }
        self.cacheDirectory = cacheDirectory
        var shared = clang + flags.joined(separator: " ")
        for path in harnessSources + ["\(harnessDirectory)/harness_windows.h"] + ["abi.h", "wasm_rt.h", "wasi.h"].map({ "\(include)/mewz/\($0)" }) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw BuildError.missing(path) }
            shared += "\u{0}" + text
        }
        sharedInputs = shared
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
    }

    /// The executable for these source files (cached), or why not.
    func executable(files: [(name: String, contents: String)]) -> Result<String, BuildError> {
        var hasher = ContentHash()
        hasher.add(sharedInputs)
        for file in files { hasher.add("\u{0}\(file.name)\u{0}\(file.contents)") }
        let directory = cacheDirectory.appendingPathComponent(hasher.hex)
        let executable = directory.appendingPathComponent("a.out").path
        if FileManager.default.isExecutableFile(atPath: executable) { return .success(executable) }

        let staging = cacheDirectory.appendingPathComponent("\(hasher.hex).tmp\(getpid())")
        do {
            try? FileManager.default.removeItem(at: staging)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            for file in files {
                let directory = staging.appendingPathComponent(file.name).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try file.contents.write(to: staging.appendingPathComponent(file.name), atomically: false, encoding: .utf8)
            }
        } catch {
            return .failure(BuildError(description: "cannot write sources: \(error)"))
        }
        let sources = files.filter { $0.name.hasSuffix(".c") }.map { staging.appendingPathComponent($0.name).path }
        let arguments = flags + ["-I", includeDirectory, "-I", harnessDirectory] + sources + harnessSources
            + ["-o", staging.appendingPathComponent("a.out").path]
        let result = ChildProcess.run(clang, arguments, timeout: 600)
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: staging)
            return .failure(.compilerFailed(result.stderr))
        }
        try? FileManager.default.removeItem(at: directory)
        do {
            try FileManager.default.moveItem(at: staging, to: directory)
        } catch {
            return .failure(BuildError(description: "cannot store the build: \(error)"))
        }
        return .success(executable)
    }
}

/// 128-bit FNV-1a pair (two seeds): a cache key, not a security boundary.
struct ContentHash {
    private var a: UInt64 = 0xcbf29ce484222325
    private var b: UInt64 = 0x84222325cbf29ce4

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x100000001b3
            b = (b ^ UInt64(byte)) &* 0x100000001b3 &+ 0x9e3779b97f4a7c15
        }
    }

    var hex: String {
        let pad = { (v: UInt64) in String(repeating: "0", count: 16 - String(v, radix: 16).count) + String(v, radix: 16) }
        return pad(a) + pad(b)
    }
}
