import Foundation
import Glibc
@testable import Monitor

/// Builds Guests/probe.c into an ELF once per test run, with clang and ld.lld from PATH, and
/// runs it in a VirtualMachine with its stdio on pipes.
enum TestGuest {
    static let kvmAvailable = FileManager.default.fileExists(atPath: "/dev/kvm")
    static let toolsAvailable = executable("clang") != nil && executable("ld.lld") != nil
    static let canRun = kvmAvailable && toolsAvailable

    struct Run {
        let termination: Termination
        let stdout: String
        let stderr: String
        /// From VirtualMachine.init to the guest's exit.
        let elapsed: Duration
    }

    struct BuildError: Error, CustomStringConvertible {
        let description: String
    }

    /// The probe ELF, built on first use.
    static let probe: Result<[UInt8], BuildError> = Result { () throws(BuildError) -> [UInt8] in try build() }

    /// `stdin` is written to the guest's stdin, which is then closed unless `stdinStaysOpen`.
    static func run(_ arguments: [String], environment: [String] = [], stdin: String? = nil,
                    stdinStaysOpen: Bool = false,
                    configure: (inout VMConfiguration) -> Void = { _ in },
                    image: (UnsafeRawBufferPointer) throws -> GuestImage = { GuestImage(elf: $0) },
                    whileRunning: ((Int32) -> Void)? = nil, prepareFirst: Bool = false) throws -> Run {
        let elf = try probe.get()
        var configuration = VMConfiguration(
            arguments: ["probe"] + arguments, environment: environment, linearMemoryMaxPages: 16)
        configuration.confinesMonitor = false  // the test process goes on after the run
        configuration.tracesBoot = false
        configure(&configuration)
        let stdout = try TestPipe(), stderr = try TestPipe(), input = try TestPipe()
        if let stdin { input.write(stdin) }
        if !stdinStaysOpen { input.closeWriteEnd() }
        configuration.stdinFD = input.readEnd
        configuration.stdoutFD = stdout.writeEnd
        configuration.stderrFD = stderr.writeEnd

        let clock = ContinuousClock()
        let start = clock.now
        let termination = try elf.withUnsafeBytes { bytes in
            let machine = try VirtualMachine(image: try image(bytes), configuration: configuration)
            if let whileRunning {
                let readEnd = stdout.readEnd
                Thread.detachNewThread { whileRunning(readEnd) }
            }
            if prepareFirst {
                // As the OCI layer does before the runtime's commit; twice, as a caller might.
                machine.prepareToRun()
                machine.prepareToRun()
            }
            return machine.run()
        }
        let elapsed = clock.now - start
        stdout.closeWriteEnd()
        stderr.closeWriteEnd()
        return Run(termination: termination, stdout: whileRunning == nil ? stdout.readAll() : "",
                   stderr: stderr.readAll(), elapsed: elapsed)
    }

    private static func build() throws(BuildError) -> [UInt8] {
        guard let clang = executable("clang"), let linker = executable("ld.lld") else {
            throw BuildError(description: "clang and ld.lld are not on PATH")
        }
        let guests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Guests")
        let include = guests.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Guest/include")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mewz-monitor-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let object = directory.appendingPathComponent("probe.o").path
        let elf = directory.appendingPathComponent("probe.elf").path
        try runTool(clang, [
            "-target", "x86_64-unknown-none", "-ffreestanding", "-nostdlib", "-fno-pic", "-mno-red-zone",
            "-mgeneral-regs-only", "-fno-stack-protector", "-O2", "-I", include.path,
            "-c", guests.appendingPathComponent("probe.c").path, "-o", object,
        ])
        try runTool(linker, ["-T", guests.appendingPathComponent("guest.ld").path, "-static", "-o", elf, object])
        guard let data = FileManager.default.contents(atPath: elf) else {
            throw BuildError(description: "cannot read \(elf)")
        }
        return [UInt8](data)
    }

    private static func runTool(_ path: String, _ arguments: [String]) throws(BuildError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        do {
            try process.run()
        } catch {
            throw BuildError(description: "\(path): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BuildError(description: "\(path) \(arguments.joined(separator: " ")) failed")
        }
    }

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

/// A pipe owned by a test.
final class TestPipe {
    private(set) var readEnd: Int32
    private(set) var writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
        readEnd = ends[0]
        writeEnd = ends[1]
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
    }

    deinit {
        closeReadEnd()
        closeWriteEnd()
    }

    func closeReadEnd() {
        if readEnd >= 0 { close(readEnd) }
        readEnd = -1
    }

    func closeWriteEnd() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(writeEnd, $0.baseAddress, $0.count) }
    }

    func writeAndClose(_ text: String) {
        write(text)
        closeWriteEnd()
    }

    /// Everything until end of file (the write end must be closed).
    func readAll() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
