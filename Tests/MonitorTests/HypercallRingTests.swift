import CKVM
import CMewzABI
import Glibc
import Testing
@testable import Monitor

/// The ring's server against fake guest memory: the test thread plays the guest.
@Suite(.timeLimit(.minutes(1)))
struct HypercallRingTests {
    let fake = FakeGuestMemory()
    let output: TestPipe
    let ring: HypercallRing
    /// `ring` spins for ten seconds before it sleeps (the tests see every state they wait
    /// for), `quickRing` for 0.2 s.
    let quickRing: HypercallRing

    static let writeArgument: UInt64 = 0x8000
    static let vectors: UInt64 = 0x8100
    static let text: UInt64 = 0x8200

    init() throws {
        output = try TestPipe()
        let hypercalls = Hypercalls(memory: fake.memory,
                                    descriptors: HostDescriptors(stdin: -1, stdout: output.writeEnd, stderr: -1))
        ring = try HypercallRing(memory: fake.memory, hypercalls: hypercalls, owner: fake, parksWhenStopped: false,
                                 spinNanoseconds: 10_000_000_000)
        quickRing = try HypercallRing(memory: fake.memory, hypercalls: hypercalls, owner: fake,
                                      parksWhenStopped: false, spinNanoseconds: 200_000_000)
    }

    func word(_ field: KeyPath<mewz_ring, UInt32>) -> UnsafeMutablePointer<UInt32> { fake.ringWord(field) }
    var seq: UInt32 { ckvm_atomic_load(word(\.seq)) }
    var answered: UInt32 { ckvm_atomic_load(word(\.answered)) }
    var listening: Bool { ckvm_atomic_load(word(\.listening)) != 0 }
    var failed: Bool { ckvm_atomic_load(word(\.failed)) != 0 }

    /// A write of `text` to stdout, posted as a guest posts it; the call's sequence number.
    @discardableResult
    func post(_ text: String, number: UInt32 = MEWZ_HC_WRITE.rawValue, argument: UInt64 = writeArgument) -> UInt32 {
        fake.memory.write(Array(text.utf8), at: Self.text)
        fake.store(mewz_hc_iovec(addr: Self.text, len: UInt64(text.utf8.count)), at: Self.vectors)
        fake.store(mewz_hc_write(fd: 1, iovcnt: 1, iov_addr: Self.vectors, written: 0, error: 0, _pad: 0),
                   at: Self.writeArgument)
        return fake.postToRing(number: number, argument: argument)
    }

    /// Spins until `condition` holds (false after ten seconds).
    func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            sched_yield()
        }
        return true
    }

    func outputText() -> String {
        output.closeWriteEnd()
        return output.readAll()
    }

    @Test func theServerAnswersAPostedCall() throws {
        try ring.start()
        ring.open()
        #expect(waitUntil { listening })
        let first = post("one\n")
        #expect(waitUntil { answered == first })
        #expect(!failed)
        #expect(fake.load(mewz_hc_write.self, at: Self.writeArgument)?.written == 4)
        let second = post("two\n")
        #expect(waitUntil { answered == second })
        ring.stop()
        #expect(ring.served == 2)
        #expect(outputText() == "one\ntwo\n")
    }

    @Test func aServerWithNothingToDoSleepsAndAnExitWakesIt() throws {
        try quickRing.start()
        quickRing.open()
        // Quiet for longer than the spin: asleep and not listening, so the guest makes exits.
        usleep(500_000)
        #expect(waitUntil { !listening })
        quickRing.wake()
        // Woken, it listens again: a call posted now is answered though it may sleep again after.
        #expect(waitUntil { listening })
        let call = post("after sleep\n")
        #expect(waitUntil { answered == call })
        quickRing.stop()
        #expect(quickRing.served == 1)
        #expect(outputText() == "after sleep\n")
    }

    @Test func aCallPostedAsTheServerFallsAsleepRunsOnce() throws {
        // Posted while the server is not listening (as if it stopped just after the guest
        // looked): the vCPU thread runs it, and the server, woken later, does not run it again.
        let call = post("once\n")
        #expect(ring.waitForAnswer(pendingSignal: { 0 }) == .resume)
        #expect(answered == call)
        try ring.start()
        ring.open()
        #expect(waitUntil { listening })
        usleep(20_000)
        ring.stop()
        #expect(ring.served == 0)
        #expect(outputText() == "once\n")
    }

    @Test func theVCPUThreadRunsACallTheServerHasNotTaken() {
        // Never started: as if the host had not yet scheduled the server.
        let call = post("by the vcpu\n")
        #expect(ring.waitForAnswer(pendingSignal: { 0 }) == .resume)
        #expect(answered == call)
        #expect(ring.served == 0)
        // A second wait for the same call runs nothing.
        #expect(ring.waitForAnswer(pendingSignal: { 0 }) == .resume)
        #expect(outputText() == "by the vcpu\n")
    }

    @Test(arguments: [MEWZ_HC_EXIT.rawValue, MEWZ_HC_MEMORY.rawValue, MEWZ_HC_READ.rawValue,
                      MEWZ_HC_RING_WAIT.rawValue, 0, 99, 0xFFFF_FFFF])
    func aCallTheRingDoesNotServeEndsTheVM(number: UInt32) throws {
        try ring.start()
        ring.open()
        #expect(waitUntil { listening })
        let call = post("never\n", number: number)
        #expect(waitUntil { answered == call })
        #expect(failed)
        let expected = Action.fail("guest posted hypercall \(number) to the ring, which serves only calls that cannot wait")
        #expect(ring.waitForAnswer(pendingSignal: { 0 }) == expected)
        // Every later exit ends the VM the same way, whatever the guest writes in the slot, and
        // the server runs nothing more.
        ckvm_atomic_store(word(\.failed), 0)
        post("never again\n")
        usleep(20_000)
        #expect(ring.exclusively(pendingSignal: { 0 }) { .resume } == expected)
        ring.stop()
        #expect(ring.served == 1)
        #expect(outputText() == "")
    }

    @Test func aBadArgumentPostedToTheRingEndsTheVMAsAnExitWould() throws {
        try ring.start()
        ring.open()
        #expect(waitUntil { listening })
        let call = post("never\n", argument: Self.writeArgument + 1)
        #expect(waitUntil { answered == call })
        #expect(failed)
        guard case .terminate(.failed(let message), _) = ring.waitForAnswer(pendingSignal: { 0 }) else {
            Issue.record("expected a failure")
            return
        }
        #expect(message.hasPrefix("hypercall write: argument at 0x8001 is misaligned"))
        ring.stop()
    }

    @Test(arguments: ["answered", "failed", "listening", "taken"], [UInt32(0), 1, 77, 0xFFFF_FFFF])
    func wordsOnlyTheMonitorWritesAreHarmlessWhenTheGuestWritesThem(field: String, value: UInt32) throws {
        let fields: [String: KeyPath<mewz_ring, UInt32>] = [
            "answered": \.answered, "failed": \.failed, "listening": \.listening, "taken": \.taken,
        ]
        try ring.start()
        ring.open()
        #expect(waitUntil { listening })
        ckvm_atomic_store(word(fields[field]!), value)
        usleep(20_000)
        // Exits are still served; a wait with nothing posted returns; nothing ran.
        #expect(ring.waitForAnswer(pendingSignal: { 0 }) == .resume)
        #expect(ring.exclusively(pendingSignal: { 0 }) { .resume } == .resume)
        // And the next call is answered as any other.
        let call = post("after\n")
        #expect(waitUntil { ring.served == 1 })
        #expect(answered == call)
        #expect(!failed)  // every answer writes it: a scribbled one does not make the guest wait
        ring.stop()
        #expect(ring.served == 1)
        #expect(outputText() == "after\n")
    }

    /// A termination signal ends the vCPU thread's wait for a call the server is running.
    @Test func aTerminationSignalEndsTheWaitForARunningCall() {
        let call = post("running\n")
        #expect(ring.claim(call, over: 0))  // as the server does when it takes it
        #expect(ring.waitForAnswer(pendingSignal: { SIGTERM }) == .terminate(.signaled(SIGTERM)))
    }
}

/// The ring slot as the test plays the guest on it.
extension FakeGuestMemory {
    func ringWord(_ field: KeyPath<mewz_ring, UInt32>) -> UnsafeMutablePointer<UInt32> {
        memory.object(mewz_ring.self, at: MEWZ_RING_ADDR)!.baseAddress!
            .advanced(by: MemoryLayout<mewz_ring>.offset(of: field)!).assumingMemoryBound(to: UInt32.self)
    }

    /// Posts call `number` on `argument` as a guest does (the slot's seq last); its sequence number.
    @discardableResult
    func postToRing(number: UInt32, argument: UInt64) -> UInt32 {
        store(number, at: MEWZ_RING_ADDR + UInt64(MemoryLayout<mewz_ring>.offset(of: \.number)!))
        store(argument, at: MEWZ_RING_ADDR + UInt64(MemoryLayout<mewz_ring>.offset(of: \.argument)!))
        let next = ckvm_atomic_load(ringWord(\.seq)) &+ 1
        ckvm_atomic_store_fenced(ringWord(\.seq), next)
        return next
    }
}
