import Foundation
import TestSupport
import Testing
import WasmCore

/// Decoding and validation take untrusted bytes: random mutations of valid
/// modules must end in a module or an error, never a trap. The generator is
/// seeded, so a failure replays.
struct MutationTests {
    @Test func mutatedModulesNeverTrap() throws {
        var seeds = ValidatorTests.functionCases.map(\.1) + ValidatorTests.moduleCases.map(\.1)
        seeds += try Self.specModules(limit: 150)
        var random = SplitMix64(seed: 0x5EED_CAFE)
        var decoded = 0
        for seed in seeds {
            for _ in 0..<120 {
                let mutant = Self.mutate(seed, &random)
                guard let module = try? Module.decode(mutant) else { continue }
                decoded += 1
                for body in module.code {
                    #expect(body.offsets.count == body.instructions.count)
                    #expect(body.offsets.allSatisfy { mutant.indices.contains($0) })
                }
                _ = try? module.validate()
            }
        }
        #expect(decoded > 0)
    }

    /// One to four random edits: overwrite a byte, flip a bit, insert,
    /// delete, or truncate.
    static func mutate(_ bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0...random.next(below: 4) {
            guard !bytes.isEmpty else { break }
            let position = random.next(below: bytes.count)
            switch random.next(below: 5) {
            case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes[position] ^= 1 << UInt8(random.next(below: 8))
            case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 3: bytes.remove(at: position)
            default: bytes.removeLast(bytes.count - position)
            }
        }
        return bytes
    }

    /// Valid modules from the spec suite, when it is present.
    static func specModules(limit: Int) throws -> [[UInt8]] {
        guard let root = SpecSuiteLocation.find() else { return [] }
        let core = root.appendingPathComponent("core")
        var modules: [[UInt8]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: core.path).sorted() {
            let folder = core.appendingPathComponent(name)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where file.hasSuffix(".wasm") {
                let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file)))
                guard bytes.count < 4096, (try? Module.decode(bytes).validate()) != nil else { continue }
                modules.append(bytes)
                if modules.count == limit { return modules }
                break  // one module per script, for variety
            }
        }
        return modules
    }
}
