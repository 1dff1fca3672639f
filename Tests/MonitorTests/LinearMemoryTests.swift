import CMewzABI
import Glibc
import Testing
@testable import Monitor

/// The slot arithmetic and MEWZ_HC_MEMORY against plain memory: a recorded "KVM" instead of
/// KVM_SET_USER_MEMORY_REGION.
struct LinearMemoryTests {
    static let mib: UInt64 = 1 << 20

    static let initialSizes: [(UInt32, UInt64, UInt64)] = [
        // module min pages, limit -> initial backed size
        (0, 4096 * mib, 8 * mib),  // at least 8 MiB
        (1, 4096 * mib, 8 * mib),
        (128, 4096 * mib, 8 * mib),
        (129, 4096 * mib, 10 * mib),  // rounded up to 2 MiB
        (17, 2 * mib, 2 * mib),  // at most the limit
        (17, 5 * mib, 4 * mib),  // in granules
        (65536, 4096 * mib, 4096 * mib),
        (0, 0, 0),  // no linear memory: no slot
    ]

    @Test(arguments: initialSizes)
    func initialSizeIsTheModulesInitialMemoryInGranules(minPages: UInt32, limit: UInt64, initial: UInt64) {
        #expect(LinearMemorySlots.initialSize(minPages: minPages, limit: limit) == initial)
    }

    @Test func slotsAtLeastDoubleUpToTheLimit() throws {
        var slots = LinearMemorySlots(limit: 4096 * Self.mib, slotCount: 100)
        var sizes: [UInt64] = []
        var wanted: UInt64 = 1
        while let slot = try slots.slot(backing: wanted) {
            #expect(slot.number == LinearMemorySlots.firstSlot + UInt32(sizes.count))
            #expect(slot.offset == slots.backed)
            slots.commit(slot)
            sizes.append(slots.backed)
            wanted = slots.backed + 1  // a program growing a page past the backed size
            if slots.backed == slots.limit { break }
        }
        #expect(sizes == (1...12).map { Self.mib << UInt64($0) })  // 2 MiB ... 4 GiB: 12 slots
        #expect(try slots.slot(backing: slots.limit) == nil)
    }

    @Test func aLargeRequestGetsWhatItWantsRoundedUp() throws {
        var slots = LinearMemorySlots(limit: 64 * Self.mib, slotCount: 4)
        let first = try #require(try slots.slot(backing: 2 * Self.mib))
        slots.commit(first)
        let slot = try slots.slot(backing: 20 * Self.mib + 1)
        #expect(slot == .init(number: 2, offset: 2 * Self.mib, size: 20 * Self.mib))
    }

    static let pastTheLimit: [(UInt64, UInt32)] = [
        (64 * mib + 1, WASIErrno.invalid),
        (UInt64.max, WASIErrno.invalid),  // no overflow on the way
    ]

    @Test(arguments: pastTheLimit)
    func requestsPastTheLimitAreRefused(wanted: UInt64, errno: UInt32) {
        let slots = LinearMemorySlots(limit: 64 * Self.mib, slotCount: 4)
        #expect(throws: GuestErrno(code: errno)) { try slots.slot(backing: wanted) }
    }

    @Test func runningOutOfSlotsIsENOMEM() throws {
        var slots = LinearMemorySlots(limit: 64 * Self.mib, slotCount: 2)
        for wanted in [2 * Self.mib, 4 * Self.mib] {
            slots.commit(try #require(try slots.slot(backing: wanted)))
        }
        #expect(throws: GuestErrno(code: WASIErrno.noMemory)) { try slots.slot(backing: 4 * Self.mib + 1) }
        #expect(try slots.slot(backing: 4 * Self.mib) == nil)  // backed already: no slot needed
    }
}

/// LinearMemory and the hypercall, with fake host memory and a recording "KVM".
final class LinearMemoryHypercallTests {
    static let mib: UInt64 = 1 << 20
    static let argumentAddress: UInt64 = 0x1000
    static let limit: UInt64 = 16 * mib

    let fake = FakeGuestMemory()
    let reservation = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(limit), alignment: 4096)
    let memory: GuestMemory
    var registered: [(UInt32, UInt64, Int)] = []
    var kvmRefuses = false

    init() {
        reservation.initializeMemory(as: UInt8.self, repeating: 0)
        memory = GuestMemory(regions: [.init(guestAddress: 0, bytes: fake.ram)])
    }

    deinit { reservation.deallocate() }

    func makeLinearMemory(slotCount: UInt32 = 8) throws -> LinearMemory {
        let linearMemory = LinearMemory(
            reservation: reservation, slots: LinearMemorySlots(limit: Self.limit, slotCount: slotCount),
            memory: memory
        ) { [unowned self] (slot, guestAddress, host) throws(MonitorError) in
            if kvmRefuses { throw .kvmCall("KVM_SET_USER_MEMORY_REGION", Errno(code: EEXIST)) }
            #expect(host.baseAddress == reservation.baseAddress.map { $0 + Int(guestAddress - MEWZ_LM_BASE) })
            registered.append((slot, guestAddress, host.count))
        }
        try linearMemory.backInitial(2 * Self.mib)
        return linearMemory
    }

    func call(_ hypercalls: Hypercalls, wanted: UInt64) -> mewz_hc_memory? {
        memory.slice(Self.argumentAddress, 24)?.storeBytes(
            of: mewz_hc_memory(wanted: wanted, backed: 99, error: 99, _pad: 0), as: mewz_hc_memory.self)
        #expect(hypercalls.handle(number: MEWZ_HC_MEMORY.rawValue, argument: Self.argumentAddress) == .resume)
        return memory.slice(Self.argumentAddress, 24)?.loadUnaligned(as: mewz_hc_memory.self)
    }

    @Test func growthAddsSlotsAndWidensTheBoundsChecks() throws {
        let linearMemory = try makeLinearMemory()
        let hypercalls = Hypercalls(memory: memory, descriptors: HostDescriptors(stdin: -1, stdout: -1, stderr: -1),
                                    linearMemory: linearMemory)
        #expect(registered.map(\.0) == [1])
        #expect(memory.slice(MEWZ_LM_BASE + 2 * Self.mib - 1, 1) != nil)
        #expect(memory.slice(MEWZ_LM_BASE + 2 * Self.mib, 1) == nil)
        memory.write([7], at: MEWZ_LM_BASE + 2 * Self.mib - 1)

        let answer = call(hypercalls, wanted: 2 * Self.mib + 1)
        #expect(answer?.error == WASIErrno.success && answer?.backed == 4 * Self.mib)
        #expect(registered.last.map { [UInt64($0.0), $0.1, UInt64($0.2)] } == [2, MEWZ_LM_BASE + 2 * Self.mib, 2 * Self.mib])
        // One region across both slots: a buffer may span them, and old data is still there.
        #expect(memory.slice(MEWZ_LM_BASE + 2 * Self.mib - 1, 2)?.first == 7)
        #expect(memory.slice(MEWZ_LM_BASE + 4 * Self.mib, 1) == nil)

        let past = call(hypercalls, wanted: Self.limit + 1)
        #expect(past?.error == WASIErrno.invalid && past?.backed == 4 * Self.mib)
        let full = call(hypercalls, wanted: Self.limit)
        #expect(full?.error == WASIErrno.success && full?.backed == Self.limit)
        #expect(registered.map(\.0) == [1, 2, 3])
        #expect(memory.slice(MEWZ_LM_BASE, Self.limit) != nil)
        #expect(memory.slice(MEWZ_LM_BASE, Self.limit + 1) == nil)
    }

    @Test func refusalsLeaveTheBackedSizeAlone() throws {
        let linearMemory = try makeLinearMemory(slotCount: 2)
        let hypercalls = Hypercalls(memory: memory, descriptors: HostDescriptors(stdin: -1, stdout: -1, stderr: -1),
                                    linearMemory: linearMemory)
        kvmRefuses = true
        let refused = call(hypercalls, wanted: 3 * Self.mib)
        #expect(refused?.error == WASIErrno.noMemory && refused?.backed == 2 * Self.mib)
        #expect(memory.slice(MEWZ_LM_BASE + 2 * Self.mib, 1) == nil)
        kvmRefuses = false
        #expect(call(hypercalls, wanted: 3 * Self.mib)?.backed == 4 * Self.mib)
        let outOfSlots = call(hypercalls, wanted: 5 * Self.mib)
        #expect(outOfSlots?.error == WASIErrno.noMemory && outOfSlots?.backed == 4 * Self.mib)
    }

    @Test func aModuleWithoutLinearMemoryBacksNothing() {
        let hypercalls = Hypercalls(memory: memory, descriptors: HostDescriptors(stdin: -1, stdout: -1, stderr: -1))
        let answer = call(hypercalls, wanted: 1)
        #expect(answer?.error == WASIErrno.invalid && answer?.backed == 0)
    }

    @Test func aMisplacedArgumentEndsTheVM() throws {
        let hypercalls = Hypercalls(memory: memory, descriptors: HostDescriptors(stdin: -1, stdout: -1, stderr: -1),
                                    linearMemory: try makeLinearMemory())
        let action = hypercalls.handle(number: MEWZ_HC_MEMORY.rawValue, argument: FakeGuestMemory.ramSize - 8)
        #expect(action == .fail("hypercall memory: argument at 0x\(hex(FakeGuestMemory.ramSize - 8)) is misaligned or outside guest memory"))
    }
}
