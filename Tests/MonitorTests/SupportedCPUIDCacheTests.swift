import CKVM
import Foundation
import Glibc
import Testing
@testable import Monitor

/// The cross-process cache of KVM_GET_SUPPORTED_CPUID: it gives back exactly what was stored
/// under the same key, and nothing for another key or a file that is not its format.
@Suite(.enabled(if: TestGuest.kvmAvailable, "needs /dev/kvm"))
struct SupportedCPUIDCacheTests {
    let directory: String
    let cache: SupportedCPUIDCache

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mewz-cpuid-\(UUID().uuidString)").path
        cache = SupportedCPUIDCache(directory: directory)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: directory) }

    static func entries(_ table: CPUIDTable) -> [[UInt32]] {
        (0..<ckvm_cpuid2_count(table.pointer)).map {
            let entry = ckvm_cpuid2_entry(table.pointer, $0).pointee
            return [entry.function, entry.index, entry.flags, entry.eax, entry.ebx, entry.ecx, entry.edx]
        }
    }

    @Test func aStoredTableComesBackUnderItsKeyOnly() throws {
        defer { cleanup() }
        let table = try KVMSystem().supportedCPUID()
        let key = try #require(SupportedCPUIDCache.currentKey())
        #expect(cache.load(key: key) == nil)
        cache.store(table, key: key)
        let loaded = try #require(cache.load(key: key))
        #expect(Self.entries(loaded) == Self.entries(table))
        #expect(!Self.entries(table).isEmpty)
        #expect(cache.load(key: Array("another boot\n".utf8)) == nil)
        // Through KVMSystem: the same answer, from the file.
        #expect(Self.entries(try KVMSystem().supportedCPUID(cache: cache)) == Self.entries(table))
    }

    @Test func aDamagedFileIsIgnoredAndReplaced() throws {
        defer { cleanup() }
        let table = try KVMSystem().supportedCPUID()
        let key = try #require(SupportedCPUIDCache.currentKey())
        cache.store(table, key: key)
        var bytes = try #require(FileManager.default.contents(atPath: cache.path))
        for damaged in [bytes.dropLast(1), bytes + [0], Data("mewz-supported-cpuid 2\n".utf8) + bytes.dropFirst(23)] {
            try Data(damaged).write(to: URL(fileURLWithPath: cache.path))
            #expect(cache.load(key: key) == nil)
        }
        // An entry count that does not match the file's size.
        let countOffset = SupportedCPUIDCache.magic.count + key.count
        bytes[countOffset] &+= 1
        try bytes.write(to: URL(fileURLWithPath: cache.path))
        #expect(cache.load(key: key) == nil)
        // Asked again (which CPU answers shows in the APIC-id fields) and stored again.
        let fresh = Self.entries(try KVMSystem().supportedCPUID(cache: cache))
        #expect(fresh.count == Self.entries(table).count)
        #expect(cache.load(key: key).map(Self.entries) == fresh)
    }

    @Test func aDirectoryOthersCanWriteIsNotUsed() throws {
        defer { cleanup() }
        #expect(mkdir(directory, 0o777) == 0)
        chmod(directory, 0o777)
        let key = try #require(SupportedCPUIDCache.currentKey())
        cache.store(try KVMSystem().supportedCPUID(), key: key)
        #expect(!FileManager.default.fileExists(atPath: cache.path))
    }
}
