import Foundation
import ImageBuilder
import Monitor

/// hack/spec-test --guest: a spec process built as the unikernel the image
/// builder makes (the same clang and ld.lld flags, the guest library and its
/// link script; Harness/guest_spectest.c in place of the host harness) and
/// booted by the monitor, one boot per command expected to trap.
struct GuestRunner {
    let clang: String
    let linker: String
    let includeDirectory: String
    let guestLibrary: String
    let linkerScript: String
    let supportSource: String
    let cacheDirectory: URL
    private let sharedInputs: String

    init(clang: String, linker: String, repository: URL, guestDirectory: URL, cacheDirectory: URL) throws {
        self.clang = clang
        self.linker = linker
        includeDirectory = repository.appendingPathComponent("Guest/include").path
        guestLibrary = guestDirectory.appendingPathComponent("libmewz_guest.a").path
        linkerScript = guestDirectory.appendingPathComponent("link.ld").path
        supportSource = repository.appendingPathComponent("Tests/WasmToCTests/Harness/guest_spectest.c").path
        self.cacheDirectory = cacheDirectory
        var shared = "guest\u{0}" + clang + ImageBuilder.compileFlags.joined(separator: " ")
            + ImageBuilder.linkFlags.joined(separator: " ")
        for path in [guestLibrary, linkerScript, supportSource] {
            guard let data = FileManager.default.contents(atPath: path) else { throw BuildError.missing(path) }
            shared += "\u{0}" + String(decoding: data, as: UTF8.self)
        }
        for name in ["abi.h", "wasm_rt.h", "wasi.h", "trap_text.h"] {
            let path = "\(includeDirectory)/mewz/\(name)"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw BuildError.missing(path) }
            shared += "\u{0}" + text
        }
        sharedInputs = shared
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
    }

    /// The unikernel ELF for these source files (cached by content), or why not.
    func elf(files: [(name: String, contents: String)]) -> Result<[UInt8], BuildError> {
        var hasher = ContentHash()
        hasher.add(sharedInputs)
        for file in files { hasher.add("\u{0}\(file.name)\u{0}\(file.contents)") }
        let directory = cacheDirectory.appendingPathComponent("guest-" + hasher.hex)
        let output = directory.appendingPathComponent("spec.elf")
        if let bytes = FileManager.default.contents(atPath: output.path) { return .success([UInt8](bytes)) }

        let staging = cacheDirectory.appendingPathComponent("guest-\(hasher.hex).tmp\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: staging) }
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            for file in files {
                let path = staging.appendingPathComponent(file.name)
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.contents.write(to: path, atomically: false, encoding: .utf8)
            }
        } catch {
            return .failure(BuildError(description: "cannot write sources: \(error)"))
        }
        // One clang process compiles every unit (in the staging directory,
        // each through a flat wrapper so object names cannot collide), one
        // ld.lld links: the image builder's flags, far fewer processes.
        var wrappers: [String] = []
        for file in files where file.name.hasSuffix(".c") {
            let wrapper = "u_" + file.name.replacingOccurrences(of: "/", with: "_")
            do {
                try "#include \"\(file.name)\"\n".write(to: staging.appendingPathComponent(wrapper), atomically: false,
                                                       encoding: .utf8)
            } catch {
                return .failure(BuildError(description: "cannot write sources: \(error)"))
            }
            wrappers.append(wrapper)
        }
        let compiled = ChildProcess.run(clang, ImageBuilder.compileFlags + ["-w", "-I", includeDirectory, "-c"]
                                        + wrappers + [supportSource], timeout: 600, directory: staging)
        guard compiled.status == 0 else { return .failure(.compilerFailed(compiled.stderr)) }
        let objects = (wrappers + ["guest_spectest.c"]).map { staging.appendingPathComponent(String($0.dropLast(2)) + ".o").path }
        let linked = staging.appendingPathComponent("spec.elf").path
        let result = ChildProcess.run(linker, ["-T", linkerScript] + ImageBuilder.linkFlags + ["-o", linked] + objects
                                      + [guestLibrary], timeout: 600)
        guard result.status == 0 else { return .failure(BuildError(description: "ld.lld failed: \(result.stderr.prefix(300))")) }
        guard let bytes = FileManager.default.contents(atPath: linked) else { return .failure(.missing(linked)) }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? FileManager.default.moveItem(atPath: linked, toPath: output.path)
        return .success([UInt8](bytes))
    }

    /// One boot of `elf` with command `target` (-1: none) as the one that
    /// may trap: its stdout lines, and a line for the target's trap.
    static func boot(_ elf: [UInt8], target: Int) -> (stdout: String, trapLine: String?, failure: String?) {
        bootLock.lock()
        defer { bootLock.unlock() }
        let path = "/tmp/mewz-spec-guest-\(getpid()).out"
        let output = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer {
            close(output)
            close(null)
            unlink(path)
        }
        guard output >= 0, null >= 0 else { return ("", nil, "cannot open the output file") }
        var configuration = VMConfiguration(arguments: ["spec", "\(target)"], environment: [], linearMemoryMaxPages: 65536)
        configuration.ramSize = 64 << 20
        configuration.confinesMonitor = false  // the runner goes on after the VM
        configuration.tracesBoot = false
        configuration.stdinFD = null
        configuration.stdoutFD = output
        configuration.stderrFD = null
        let termination: Termination
        do {
            termination = try elf.withUnsafeBytes { bytes throws(MonitorError) in
                try VirtualMachine(elf: bytes, configuration: configuration).run()
            }
        } catch {
            return ("", nil, "VM: \(error)")
        }
        let stdout = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        switch termination {
        case .exited(0): return (stdout, nil, nil)
        case .trapped(let code): return (stdout, target >= 0 ? "\(target) trap \(TrapText.text(code))" : nil,
                                         target >= 0 ? nil : "trapped outside a command: \(TrapText.text(code))")
        case .exited(let status): return (stdout, nil, "guest exited with status \(status)")
        case .failed(let reason): return (stdout, nil, "VM failed: \(reason)")
        case .signaled(let signal): return (stdout, nil, "VM stopped by signal \(signal)")
        }
    }

    private static let bootLock = NSLock()
}
