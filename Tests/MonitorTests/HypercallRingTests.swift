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

    var state: UnsafeMutablePointer<UInt32> {
        fake.memory.object(mewz_ring.self, at: MEWZ_RING_ADDR)!.baseAddress!.assumingMemoryBound(to: UInt32.self)
    }

    /// A write of `text` to stdout, posted as a guest posts it (the state must be IDLE).
    func post(_ text: String, number: UInt32 = MEWZ_HC_WRITE.rawValue, argument: UInt64 = writeArgument) -> Bool {
        fake.memory.write(Array(text.utf8), at: Self.text)
        fake.store(mewz_hc_iovec(addr: Self.text, len: UInt64(text.utf8.count)), at: Self.vectors)
        fake.store(mewz_hc_write(fd: 1, iovcnt: 1, iov_addr: Self.vectors, written: 0, error: 0, _pad: 0),
                   at: Self.writeArgument)
        fake.store(number, at: MEWZ_RING_ADDR + UInt64(MemoryLayout<mewz_ring>.offset(of: \.number)!))
        fake.store(argument, at: MEWZ_RING_ADDR + UInt64(MemoryLayout<mewz_ring>.offset(of: \.argument)!))
        return ckvm_atomic_swap_if(state, UInt32(MEWZ_RING_IDLE.rawValue), UInt32(MEWZ_RING_POSTED.rawValue)) != 0
    }

    /// Spins until the state is `wanted` (false after ten seconds).
    func waitFor(_ wanted: mewz_ring_state) -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ckvm_atomic_load(state) != wanted.rawValue {
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
        #expect(waitFor(MEWZ_RING_IDLE))
        #expect(post("one\n"))
        #expect(waitFor(MEWZ_RING_DONE))
        #expect(fake.load(mewz_hc_write.self, at: Self.writeArgument)?.written == 4)
        ckvm_atomic_store(state, UInt32(MEWZ_RING_IDLE.rawValue))
        #expect(post("two\n"))
        #expect(waitFor(MEWZ_RING_DONE))
        ring.stop()
        #expect(ring.served == 2)
        #expect(outputText() == "one\ntwo\n")
    }

    @Test func aServerWithNothingToDoSleepsAndAnExitWakesIt() throws {
        try quickRing.start()
        quickRing.open()
        // Quiet for longer than the spin: asleep, the slot closed (OFF) so the guest makes exits.
        usleep(500_000)
        #expect(waitFor(MEWZ_RING_OFF))
        quickRing.wake()
        // Woken, it polls again: a call posted now is answered though it may sleep again after.
        let deadline = ContinuousClock.now + .seconds(10)
        while !post("after sleep\n"), ContinuousClock.now < deadline { sched_yield() }
        #expect(waitFor(MEWZ_RING_DONE))
        quickRing.stop()
        #expect(quickRing.served == 1)
        #expect(outputText() == "after sleep\n")
    }

    @Test func theVCPUThreadRunsACallTheServerHasNotTaken() {
        // Never started: as if the host had not yet scheduled the server.
        ckvm_atomic_store(state, UInt32(MEWZ_RING_IDLE.rawValue))
        #expect(post("by the vcpu\n"))
        #expect(ring.waitForAnswer(pendingSignal: { 0 }) == .resume)
        #expect(ckvm_atomic_load(state) == MEWZ_RING_DONE.rawValue)
        #expect(ring.served == 0)
        #expect(outputText() == "by the vcpu\n")
    }

    @Test(arguments: [MEWZ_HC_EXIT.rawValue, MEWZ_HC_MEMORY.rawValue, MEWZ_HC_READ.rawValue,
                      MEWZ_HC_RING_WAIT.rawValue, 0, 99, 0xFFFF_FFFF])
    func aCallTheRingDoesNotServeEndsTheVM(number: UInt32) throws {
        try ring.start()
        ring.open()
        #expect(waitFor(MEWZ_RING_IDLE))
        #expect(post("never\n", number: number))
        #expect(waitFor(MEWZ_RING_FAILED))
        let expected = Action.fail("guest posted hypercall \(number) to the ring, which serves only calls that cannot wait")
        #expect(ring.waitForAnswer(pendingSignal: { 0 }) == expected)
        // Every later exit ends the VM the same way, whatever the guest writes in the slot.
        ckvm_atomic_store(state, UInt32(MEWZ_RING_IDLE.rawValue))
        #expect(ring.exclusively(pendingSignal: { 0 }) { .resume } == expected)
        ring.stop()
        #expect(outputText() == "")
    }

    @Test func aBadArgumentPostedToTheRingEndsTheVMAsAnExitWould() throws {
        try ring.start()
        ring.open()
        #expect(waitFor(MEWZ_RING_IDLE))
        #expect(post("never\n", argument: Self.writeArgument + 1))
        #expect(waitFor(MEWZ_RING_FAILED))
        guard case .terminate(.failed(let message), _) = ring.waitForAnswer(pendingSignal: { 0 }) else {
            Issue.record("expected a failure")
            return
        }
        #expect(message.hasPrefix("hypercall write: argument at 0x8001 is misaligned"))
        ring.stop()
    }

    @Test(arguments: [UInt32(77), MEWZ_RING_RUNNING.rawValue, MEWZ_RING_DONE.rawValue, MEWZ_RING_OFF.rawValue,
                      MEWZ_RING_FAILED.rawValue])
    func statesOnlyAHostileGuestWritesAreHarmless(scribbled: UInt32) throws {
        try ring.start()
        ring.open()
        #expect(waitFor(MEWZ_RING_IDLE))
        ckvm_atomic_store(state, scribbled)
        usleep(20_000)
        // Exits are still served; a wait with nothing posted returns; nothing ran.
        if scribbled != MEWZ_RING_RUNNING.rawValue {
            #expect(ring.waitForAnswer(pendingSignal: { 0 }) == .resume)
        }
        #expect(ring.exclusively(pendingSignal: { 0 }) { .resume } == .resume)
        ring.stop()
        #expect(ring.served == 0)
        #expect(outputText() == "")
    }

    /// A termination signal ends the vCPU thread's wait for a call the server is running.
    @Test func aTerminationSignalEndsTheWaitForARunningCall() {
        ckvm_atomic_store(state, UInt32(MEWZ_RING_RUNNING.rawValue))
        #expect(ring.waitForAnswer(pendingSignal: { SIGTERM }) == .terminate(.signaled(SIGTERM)))
    }
}
