import Foundation
import ImageFormat
@testable import ImageBuilder

/// A directory under /tmp, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/mewz-imagebuilder-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) } != nil
        }
        precondition(made, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String, _ contents: String, executable: Bool = false) -> String {
        let filePath = path + "/" + name
        try? FileManager.default.createDirectory(
            atPath: (filePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // An executable is written by a child process: a process another test forks while this
        // one holds the file open for writing keeps that descriptor until it execs, and running
        // the file meanwhile fails with ETXTBSY. A child's descriptor leaks into no one's fork.
        guard executable else {
            _ = FileManager.default.createFile(
                atPath: filePath, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o644])
            return filePath
        }
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh", filePath]
        let input = Pipe()
        writer.standardInput = input
        try? writer.run()
        input.fileHandleForWriting.write(Data(contents.utf8))
        try? input.fileHandleForWriting.close()
        writer.waitUntilExit()
        return filePath
    }
}

enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let environmentPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    static func which(_ name: String) -> String? {
        environmentPath.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// clang, ld.lld and llvm-ar: needed to build a fake guest and link for real.
    static let toolchainAvailable = ["clang", "ld.lld", "llvm-ar"].allSatisfy { which($0) != nil }

    /// The smallest WASI command: `(func (export "_start"))`. `tag` adds a
    /// custom section so each tag is a different module with the same code.
    static func module(tag: String = "") -> [UInt8] {
        var bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        bytes += [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]  // type 0: [] -> []
        bytes += [0x03, 0x02, 0x01, 0x00]  // func 0: type 0
        bytes += [0x07, 0x0A, 0x01, 0x06] + Array("_start".utf8) + [0x00, 0x00]  // export
        bytes += [0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B]  // code: empty body
        if !tag.isEmpty {
            let name = Array("tag".utf8)
            let payload = [UInt8(name.count)] + name + Array(tag.utf8)
            bytes += [0x00, UInt8(payload.count)] + payload
        }
        return bytes
    }

    static let guestSource = """
        #include "mewz/wasm_rt.h"
        uint32_t mewz_memory_pages;
        _Noreturn void mewz_trap(uint32_t reason) { (void)reason; for (;;) __asm__ volatile("hlt"); }
        void mewz_memory_init(uint32_t min_pages, uint32_t max_pages) { (void)max_pages; mewz_memory_pages = min_pages; }
        uint32_t mewz_memory_grow(uint32_t delta_pages) { (void)delta_pages; return 0xFFFFFFFFu; }
        void _start(void) { mewz_module_init(); mewz_module_main(); for (;;) __asm__ volatile("hlt"); }
        """

    static let linkerScript = """
        ENTRY(_start)
        SECTIONS {
            . = 0x100000;
            .text : { *(.text .text.*) }
            .rodata : { *(.rodata .rodata.*) }
            .data : { *(.data .data.*) }
            .bss : { *(.bss .bss.* COMMON) }
        }
        """

    /// libmewz_guest.a for the fake guest, built once per test run with the
    /// real clang and llvm-ar.
    static let guestArchive: Data? = {
        guard let clang = which("clang"), let ar = which("llvm-ar") else { return nil }
        let work = TemporaryDirectory()
        let source = work.file("guest.c", guestSource)
        let object = work.path + "/guest.o"
        let archive = work.path + "/libmewz_guest.a"
        let include = repositoryRoot + "/Guest/include"
        guard run(clang, ImageBuilder.compileFlags + ["-I", include, "-c", source, "-o", object]) == 0,
            run(ar, ["rcs", archive, object]) == 0
        else { return nil }
        return FileManager.default.contents(atPath: archive)
    }()

    /// A guest directory: the fake archive, a linker script at 1 MiB and the
    /// real headers from Guest/include. Each call makes a new directory (the
    /// builder remembers a guest's digest by path).
    static func makeGuest(in directory: TemporaryDirectory, name: String = "guest", abiVersion: Int? = nil) -> String {
        let guest = directory.path + "/" + name
        try? FileManager.default.createDirectory(atPath: guest + "/include/mewz", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: guest + "/libmewz_guest.a", contents: guestArchive ?? Data())
        _ = directory.file(name + "/link.ld", linkerScript)
        for header in ["abi.h", "wasm_rt.h", "wasi.h"] {
            var text = (try? String(contentsOfFile: repositoryRoot + "/Guest/include/mewz/" + header, encoding: .utf8)) ?? ""
            if header == "abi.h", let abiVersion {
                text = text.replacingOccurrences(
                    of: "#define MEWZ_ABI_VERSION \(ImageHeader.currentABIVersion)", with: "#define MEWZ_ABI_VERSION \(abiVersion)")
            }
            _ = directory.file(name + "/include/mewz/" + header, text)
        }
        return guest
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Builder over a fresh guest and cache in `directory`.
    static func builder(
        in directory: TemporaryDirectory, environment: [String: String] = [:],
        progress: (@Sendable (String) -> Void)? = nil
    ) -> ImageBuilder {
        ImageBuilder(
            configuration: BuildConfiguration(
                cacheDirectory: directory.path + "/cache",
                guestDirectory: makeGuest(in: directory),
                environment: ["PATH": environmentPath].merging(environment) { $1 },
                progress: progress))
    }

    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// Collects progress lines from any thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    var lines: [String] { lock.withLock { stored } }

    func record(_ line: String) {
        lock.withLock { stored.append(line) }
    }
}

func buildError(_ body: () throws(ImageBuildError) -> Void) -> ImageBuildError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
