import Foundation
import Testing
import WasmCore

/// Runs every binary module of the official core spec suite (Wasm 2.0,
/// wast2json form, SIMD files excluded) through `Module.decode` and
/// `validate()`: valid modules must pass, `assert_malformed` and
/// `assert_invalid` ones must fail, and the failure's reason must start
/// with the suite's expected text.
struct SpecSuiteTests {
    @Test func coreSuiteDecodesAndValidatesLikeTheSpec() throws {
        guard let root = SpecSuiteLocation.find() else {
            if ProcessInfo.processInfo.environment["MEWZ_SPEC_OPTIONAL"] == "1" {
                print("WasmCore spec: suite not found, skipped (MEWZ_SPEC_OPTIONAL=1)")
                return
            }
            Issue.record("""
                spec suite not found: set MEWZ_SPEC_DIR to the wasm-spec folder \
                (or MEWZ_SPEC_OPTIONAL=1 to skip)
                """)
            return
        }
        let core = root.appendingPathComponent("core")
        let names = try FileManager.default.contentsOfDirectory(atPath: core.path).sorted()
        var tally = SpecTally()
        for name in names {
            let script = core.appendingPathComponent(name).appendingPathComponent("\(name).json")
            guard FileManager.default.fileExists(atPath: script.path) else { continue }
            try SpecScript(url: script).run(into: &tally)
        }
        print("WasmCore spec: \(tally.correct) accepted/rejected correctly, \(tally.wrong.count) wrong, "
              + "\(tally.skipped) skipped (text format), \(tally.textMismatches.count) reason texts differ, "
              + "\(tally.malformedAsConverted) assert_invalid malformed as converted, \(tally.scripts) scripts")
        for failure in tally.wrong.prefix(40) { Issue.record("wrong: \(failure)") }
        for mismatch in tally.textMismatches.prefix(40) { Issue.record("text: \(mismatch)") }
        for unplaced in tally.unplaced.prefix(40) { Issue.record("no section or offset: \(unplaced)") }
        #expect(tally.unplaced.isEmpty, "\(tally.unplaced.count) rejections without section and offset")
        #expect(tally.scripts == 90)
        #expect(tally.wrong.isEmpty)
        #expect(tally.textMismatches.isEmpty)
    }
}

/// The SIMD scripts (simd/, 58 files), checked the same way: every module
/// decodes and validates, or fails with the suite's expected text.
struct SIMDSpecSuiteTests {
    @Test func simdSuiteDecodesAndValidatesLikeTheSpec() throws {
        guard let root = SpecSuiteLocation.find() else {
            if ProcessInfo.processInfo.environment["MEWZ_SPEC_OPTIONAL"] == "1" { return }
            Issue.record("spec suite not found: set MEWZ_SPEC_DIR (or MEWZ_SPEC_OPTIONAL=1 to skip)")
            return
        }
        let simd = root.appendingPathComponent("simd")
        var tally = SpecTally()
        for name in try FileManager.default.contentsOfDirectory(atPath: simd.path).sorted() {
            let script = simd.appendingPathComponent(name).appendingPathComponent("\(name).json")
            guard FileManager.default.fileExists(atPath: script.path) else { continue }
            try SpecScript(url: script).run(into: &tally)
        }
        print("WasmCore SIMD spec: \(tally.correct) accepted/rejected correctly, \(tally.wrong.count) wrong, "
              + "\(tally.skipped) skipped (text format), \(tally.textMismatches.count) reason texts differ")
        for failure in tally.wrong.prefix(40) { Issue.record("wrong: \(failure)") }
        for mismatch in tally.textMismatches.prefix(40) { Issue.record("text: \(mismatch)") }
        #expect(tally.scripts == 58)
        #expect(tally.correct == 1142)  // every .wasm of files-simd.tsv
        #expect(tally.wrong.isEmpty)
        #expect(tally.textMismatches.isEmpty)
    }
}

enum SpecSuiteLocation {
    /// MEWZ_SPEC_DIR, else the first `shared/wasm-spec` beside the package
    /// root or one of its parents (the repository sits beside `shared`; a
    /// worktree sits one level deeper).
    static func find() -> URL? {
        if let override = ProcessInfo.processInfo.environment["MEWZ_SPEC_DIR"] {
            let url = URL(fileURLWithPath: override)
            return hasCoreSuite(url) ? url : nil
        }
        var directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // WasmCoreTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        while directory.path != "/" {
            directory = directory.deletingLastPathComponent()
            let candidate = directory.appendingPathComponent("shared/wasm-spec")
            if hasCoreSuite(candidate) { return candidate }
        }
        return nil
    }

    private static func hasCoreSuite(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        let core = url.appendingPathComponent("core").path
        return FileManager.default.fileExists(atPath: core, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

struct SpecTally {
    var scripts = 0
    var correct = 0
    var skipped = 0
    var malformedAsConverted = 0
    var wrong: [String] = []
    var textMismatches: [String] = []
    /// Rejections whose message names no section (or function, ...) or no byte offset.
    var unplaced: [String] = []
}

/// One wast2json script: its commands that carry a module.
struct SpecScript {
    let url: URL

    enum Expectation {
        case valid
        case malformed(String)
        case invalid(String)
    }

    func run(into tally: inout SpecTally) throws {
        let data = try Data(contentsOf: url)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let commands = json["commands"] as? [[String: Any]] else {
            Issue.record("\(url.lastPathComponent): not a wast2json script")
            return
        }
        tally.scripts += 1
        for command in commands {
            guard let type = command["type"] as? String, let file = command["filename"] as? String else { continue }
            let line = command["line"] as? Int ?? 0
            let text = command["text"] as? String ?? ""
            let expectation: Expectation
            switch type {
            case "module", "assert_unlinkable", "assert_uninstantiable", "assert_trap", "assert_exhaustion":
                expectation = .valid
            case "assert_malformed", "assert_invalid":
                guard command["module_type"] as? String == "binary" else {
                    tally.skipped += 1  // text format: this suite has no text parser
                    continue
                }
                expectation = type == "assert_malformed" ? .malformed(text) : .invalid(text)
            default:
                continue
            }
            let where_ = "\(url.lastPathComponent):\(line) \(file)"
            let bytes = try [UInt8](Data(contentsOf: url.deletingLastPathComponent().appendingPathComponent(file)))
            check(bytes, expectation, at: where_, into: &tally)
        }
    }

    private func check(_ bytes: [UInt8], _ expectation: Expectation, at place: String, into tally: inout SpecTally) {
        var failure: String?
        var decodeFailure: DecodeError?
        do {
            let module = try Module.decode(bytes)
            do {
                try module.validate()
            } catch {
                failure = error.reason
                if case .valid = expectation { tally.wrong.append("\(place): rejected valid module: \(error)") }
                // Where: the section (or function, global, segment, ...) and the byte offset.
                if error.context.isEmpty || error.offset == nil { tally.unplaced.append("\(place): \(error)") }
            }
        } catch {
            failure = error.reason
            decodeFailure = error
            // The header (magic, version: the first 8 bytes) is in no section.
            if error.section == nil && error.offset >= 8 { tally.unplaced.append("\(place): \(error)") }
            if case .valid = expectation { tally.wrong.append("\(place): rejected valid module: \(error)") }
        }
        switch expectation {
        case .valid:
            if failure == nil { tally.correct += 1 }
        case .malformed(let text), .invalid(let text):
            guard let failure else {
                tally.wrong.append("\(place): accepted a module expected to fail with \"\(text)\"")
                return
            }
            tally.correct += 1
            if failure.hasPrefix(text) { return }
            if case .invalid = expectation, decodeFailure?.reason == "data count section required" {
                // The script's text module is well-formed; wast2json's binary
                // of it uses data indices without the data count section the
                // binary format requires, so it is malformed as converted and
                // the expected (validation) text cannot be compared.
                tally.malformedAsConverted += 1
                return
            }
            tally.textMismatches.append("\(place): expected \"\(text)\", got \"\(failure)\"")
        }
    }
}
