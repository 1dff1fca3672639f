import CMewzABI
import Testing
@testable import Monitor

/// Two regions: "RAM" [0, 1 MiB) and "linear memory" [4 GiB, 4 GiB + 64 KiB).
final class FakeGuestMemory {
    static let ramSize: UInt64 = 1 << 20
    static let linearMemorySize: UInt64 = 64 << 10

    let ram = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(ramSize), alignment: 4096)
    let linearMemory = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(linearMemorySize), alignment: 4096)

    init() {
        ram.initializeMemory(as: UInt8.self, repeating: 0)
        linearMemory.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        ram.deallocate()
        linearMemory.deallocate()
    }

    var memory: GuestMemory {
        GuestMemory(regions: [.init(guestAddress: 0, bytes: ram), .init(guestAddress: MEWZ_LM_BASE, bytes: linearMemory)])
    }

    func store<T>(_ value: T, at address: UInt64) {
        memory.slice(address, UInt64(MemoryLayout<T>.size))?.storeBytes(of: value, as: T.self)
    }

    func load<T>(_ type: T.Type, at address: UInt64) -> T? {
        memory.slice(address, UInt64(MemoryLayout<T>.size))?.loadUnaligned(as: T.self)
    }
}

struct GuestMemoryTests {
    static let cases: [(UInt64, UInt64, Bool)] = [
        (0, 0, true),
        (0, FakeGuestMemory.ramSize, true),
        (FakeGuestMemory.ramSize - 1, 1, true),
        (FakeGuestMemory.ramSize, 0, true),
        (FakeGuestMemory.ramSize, 1, false),
        (FakeGuestMemory.ramSize - 1, 2, false),
        (0x1000, .max, false),
        (.max, 1, false),
        (.max, .max, false),
        (FakeGuestMemory.ramSize + 0x1000, 8, false),
        (MEWZ_LM_BASE - 1, 2, false),
        (MEWZ_LM_BASE, FakeGuestMemory.linearMemorySize, true),
        (MEWZ_LM_BASE + FakeGuestMemory.linearMemorySize - 8, 8, true),
        (MEWZ_LM_BASE + FakeGuestMemory.linearMemorySize - 8, 9, false),
        (MEWZ_LM_BASE + 8, .max - MEWZ_LM_BASE, false),
    ]

    @Test(arguments: cases)
    func sliceIsInsideOneRegionOrNil(address: UInt64, length: UInt64, inside: Bool) {
        let fake = FakeGuestMemory()
        let slice = fake.memory.slice(address, length)
        #expect((slice != nil) == inside)
        if let slice { #expect(slice.count == Int(length)) }
    }

    @Test func sliceAliasesTheRightHostBytes() {
        let fake = FakeGuestMemory()
        fake.memory.write([1, 2, 3], at: 0x2000)
        fake.memory.write([9], at: MEWZ_LM_BASE + 5)
        #expect(Array(fake.ram[0x2000..<0x2003]) == [1, 2, 3])
        #expect(fake.linearMemory[5] == 9)
        #expect(!fake.memory.write([1, 2], at: FakeGuestMemory.ramSize - 1))
        #expect(fake.ram[Int(FakeGuestMemory.ramSize) - 1] == 0)
    }

    @Test func objectsMustBeAlignedAndWhole() {
        let memory = FakeGuestMemory().memory
        #expect(memory.object(mewz_hc_write.self, at: 0x1000) != nil)
        #expect(memory.object(mewz_hc_write.self, at: 0x1004) == nil)
        #expect(memory.object(mewz_hc_write.self, at: FakeGuestMemory.ramSize - 8) == nil)
    }
}
