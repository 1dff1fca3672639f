import CKVM
import CMewzABI
import Glibc

/// The monitor's end of the hypercall ring (abi.h, struct mewz_ring): a host thread that polls
/// the slot at MEWZ_RING_ADDR and answers the calls the guest posts there, so a call that
/// cannot wait costs no VM exit (tens of microseconds under kvm-pvm). After a quiet spell it
/// sleeps (state OFF); the guest then makes exits, and the vCPU thread wakes it after one.
///
/// Everything in the slot is the guest's to scribble on: the state word only decides who
/// looks next, the number and argument are checked as an exit's are, and two handlers never
/// run at once (`exclusively`), whatever the guest does with the state.
final class HypercallRing: @unchecked Sendable {
    /// The calls the ring serves: none of them waits in the host when the guest asks as
    /// abi.h says (sockets non-blocking, polls with timeout 0). A switch: it runs for every call.
    static func serves(_ number: UInt32) -> Bool {
        switch number {
        case MEWZ_HC_WRITE.rawValue, MEWZ_HC_RANDOM.rawValue, MEWZ_HC_SOCKET.rawValue,
             MEWZ_HC_ACCEPT.rawValue, MEWZ_HC_RECV.rawValue, MEWZ_HC_SEND.rawValue,
             MEWZ_HC_POLL.rawValue, MEWZ_HC_POLL_RECV.rawValue, MEWZ_HC_FS.rawValue, MEWZ_HC_FLUSH.rawValue:
            return true
        default:
            return false
        }
    }
    static let environmentVariable = "MEWZ_HYPERCALL_RING"
    /// Two spinning threads on one CPU would take turns for whole time slices.
    static var requestedByEnvironment: Bool {
        if let value = getenv(environmentVariable), String(cString: value) == "0" { return false }
        return ckvm_usable_cpus() >= 2
    }
    /// How long the server polls an idle slot before it sleeps, by default.
    static let defaultSpinNanoseconds: UInt64 = 500_000
    private let spinNanoseconds: UInt64

    private let hypercalls: Hypercalls
    /// The slot in guest RAM.
    private let slot: UnsafeMutableRawPointer
    private var state: UnsafeMutablePointer<UInt32> { slot.assumingMemoryBound(to: UInt32.self) }
    /// Host-side words the guest cannot reach: [0] the handler lock (0 free, 1 held, 2 held
    /// with a waiter), [1] stop, [2] the vCPU thread waits on the slot, [3] the server sleeps,
    /// [4] a served call failed (`failure` is set).
    private let words: UnsafeMutablePointer<UInt32>
    private var lockWord: UnsafeMutablePointer<UInt32> { words }
    private var stopWord: UnsafeMutablePointer<UInt32> { words + 1 }
    private var vcpuWaitsWord: UnsafeMutablePointer<UInt32> { words + 2 }
    private var sleepsWord: UnsafeMutablePointer<UInt32> { words + 3 }
    private var failedWord: UnsafeMutablePointer<UInt32> { words + 4 }
    /// What a served call ended the VM with; set with the lock held.
    private var failure: Action?
    /// Calls the server answered (for MEWZ_EXIT_COUNT); only the server thread writes it.
    private let servedCount: UnsafeMutablePointer<UInt64>
    var served: UInt64 { servedCount.pointee }
    /// Keeps guest RAM mapped while the server may still touch it.
    private let owner: AnyObject
    /// Confined threads must not exit (glibc's thread exit calls madvise): the server parks.
    private let parksWhenStopped: Bool

    init(memory: GuestMemory, hypercalls: Hypercalls, owner: AnyObject, parksWhenStopped: Bool,
         spinNanoseconds: UInt64 = defaultSpinNanoseconds) throws(MonitorError) {
        guard let bytes = memory.object(mewz_ring.self, at: MEWZ_RING_ADDR) else { throw .ramTooSmall }
        slot = bytes.baseAddress!
        self.hypercalls = hypercalls
        self.owner = owner
        self.parksWhenStopped = parksWhenStopped
        self.spinNanoseconds = spinNanoseconds
        words = .allocate(capacity: 5)
        words.initialize(repeating: 0, count: 5)
        words[3] = 1  // asleep until `open`
        servedCount = .allocate(capacity: 1)
        servedCount.initialize(to: 0)
        state.pointee = UInt32(MEWZ_RING_OFF.rawValue)
    }

    deinit {
        words.deallocate()
        servedCount.deallocate()
    }

    /// Starts the server thread, which waits for `open`. Call before the seccomp filter is
    /// loaded (the filter then covers the thread too: TSYNC).
    func start() throws(MonitorError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = ckvm_start_thread({ context in
            let ring = Unmanaged<HypercallRing>.fromOpaque(context!).takeRetainedValue()
            ring.serve()
        }, context)
        if status != 0 {
            Unmanaged<HypercallRing>.fromOpaque(context).release()
            throw .ringThread(Errno(code: status))
        }
    }

    /// The guest is about to run: the server starts polling the slot.
    func open() { wake() }

    /// The VM has ended: the server stops looking at the slot (it may finish a call first).
    func stop() {
        ckvm_atomic_store(stopWord, 1)
        ckvm_futex_wake(stopWord)
        wake()
        ckvm_futex_wake(state)
    }

    private var stopping: Bool { ckvm_atomic_load(stopWord) != 0 }

    // MARK: The server thread

    /// Only this thread moves the slot between OFF and IDLE, so the guest posts only while
    /// the server is actually polling: a call never waits for a server that is still waking.
    private func serve() {
        sleepUntilWoken(holdingOff: 0)
        var quietSince = Self.now()
        var spins = 0
        // Wake-ups in a row after which no call came: the guest is not using the ring (it
        // backs off when the host does not give this thread a CPU), so polling only takes CPU
        // time from the vCPU. The server then stays asleep a while longer each time.
        var emptyWakeups = 0
        var servedSinceWakeup = false
        while !stopping {
            let current = ckvm_atomic_load(state)
            if current == MEWZ_RING_POSTED.rawValue {
                if ckvm_atomic_swap_if(state, current, UInt32(MEWZ_RING_RUNNING.rawValue)) != 0 {
                    answerPosted()
                    servedCount.pointee += 1
                    servedSinceWakeup = true
                }
                quietSince = Self.now()
                continue
            }
            spins += 1
            // No PAUSE: on a nested host, a PAUSE loop can make the hypervisor below
            // deschedule this vCPU (pause-loop exiting), and answers would wait for it.
            if spins & 63 != 0 || Self.now() - quietSince < spinNanoseconds { continue }
            if current == MEWZ_RING_IDLE.rawValue {
                ckvm_atomic_store(sleepsWord, 1)
                if ckvm_atomic_swap_if(state, current, UInt32(MEWZ_RING_OFF.rawValue)) != 0 {
                    emptyWakeups = servedSinceWakeup ? 0 : min(emptyWakeups + 1, 9)
                    servedSinceWakeup = false
                    sleepUntilWoken(holdingOff: emptyWakeups == 0 ? 0 : 1_000_000 << (emptyWakeups - 1))
                } else {
                    ckvm_atomic_store(sleepsWord, 0)
                }
            } else {
                // An answer the guest has yet to take, a call the vCPU thread runs, or a
                // state only a hostile guest writes: look again now and then.
                _ = ckvm_futex_wait(state, current, 1_000_000)
            }
            quietSince = Self.now()
        }
        guard parksWhenStopped else { return }
        while true { _ = ckvm_futex_wait(stopWord, 1, 0) }
    }

    /// Sleeps until `wake` and at least `holdingOff` nanoseconds (the VM's end cuts both
    /// short), then opens the slot (OFF -> IDLE).
    private func sleepUntilWoken(holdingOff: UInt64) {
        if holdingOff > 0 { _ = ckvm_futex_wait(stopWord, 0, holdingOff) }
        while ckvm_atomic_load(sleepsWord) != 0, !stopping { _ = ckvm_futex_wait(sleepsWord, 1, 0) }
        _ = ckvm_atomic_swap_if(state, UInt32(MEWZ_RING_OFF.rawValue), UInt32(MEWZ_RING_IDLE.rawValue))
    }

    /// Runs the call in the slot (state RUNNING, taken by this thread) and answers DONE, or
    /// FAILED with the reason kept for the vCPU thread.
    private func answerPosted() {
        lock(abandonOnTermination: false)
        let action = runSlotCall()
        if action == .resume {
            ckvm_atomic_store(state, UInt32(MEWZ_RING_DONE.rawValue))
        } else {
            failure = action
            ckvm_atomic_store(failedWord, 1)
            ckvm_atomic_store(state, UInt32(MEWZ_RING_FAILED.rawValue))
        }
        unlock()
        if ckvm_atomic_load(vcpuWaitsWord) != 0 { ckvm_futex_wake(state) }
    }

    /// The call described by the slot, read once. Hold the lock.
    private func runSlotCall() -> Action {
        let number = slot.load(fromByteOffset: MemoryLayout<mewz_ring>.offset(of: \.number)!, as: UInt32.self)
        let argument = slot.load(fromByteOffset: MemoryLayout<mewz_ring>.offset(of: \.argument)!, as: UInt64.self)
        guard Self.serves(number) else {
            return .fail("guest posted hypercall \(number) to the ring, which serves only calls that cannot wait")
        }
        return hypercalls.handle(number: number, argument: argument)
    }

    // MARK: The vCPU thread

    /// Runs `body` (an exit's handler) with no ring call running beside it. A termination
    /// signal while a ring call holds the lock ends the wait.
    func exclusively(pendingSignal: () -> Int32, _ body: () -> Action) -> Action {
        if let failure = lockedFailure() { return failure }
        guard lock(abandonOnTermination: true) else { return .terminate(.signaled(pendingSignal())) }
        let action = body()
        unlock()
        return action
    }

    /// MEWZ_HC_RING_WAIT: returns once the posted call is answered, running it here if the
    /// server has not taken it; a call the server found bad ends the VM.
    func waitForAnswer(pendingSignal: () -> Int32) -> Action {
        ckvm_atomic_store(vcpuWaitsWord, 1)
        defer { ckvm_atomic_store(vcpuWaitsWord, 0) }
        while true {
            let current = ckvm_atomic_load(state)
            switch current {
            case MEWZ_RING_POSTED.rawValue:
                guard ckvm_atomic_swap_if(state, current, UInt32(MEWZ_RING_RUNNING.rawValue)) != 0 else { continue }
                guard lock(abandonOnTermination: true) else { return .terminate(.signaled(pendingSignal())) }
                let action = runSlotCall()
                unlock()
                guard action == .resume else { return action }
                ckvm_atomic_store(state, UInt32(MEWZ_RING_DONE.rawValue))
                return .resume
            case MEWZ_RING_RUNNING.rawValue:
                _ = ckvm_futex_wait(state, current, 10_000_000)
                let signal = pendingSignal()
                if signal != 0 { return .terminate(.signaled(signal)) }
            default:
                // DONE, FAILED (lockedFailure decides), or nothing posted (only a confused
                // guest waits then).
                return lockedFailure() ?? .resume
            }
        }
    }

    /// After an exit: a sleeping server polls the slot again (calls are likely to follow).
    func wake() {
        if ckvm_atomic_exchange(sleepsWord, 0) != 0 { ckvm_futex_wake(sleepsWord) }
    }

    /// What a served call ended the VM with, whatever the guest wrote in the slot since.
    private func lockedFailure() -> Action? {
        guard ckvm_atomic_load(failedWord) != 0 else { return nil }
        lock(abandonOnTermination: false)
        defer { unlock() }
        return failure
    }

    // MARK: The handler lock (a futex mutex: uncontended but for hostile guests)

    /// False when `abandonOnTermination` and a termination signal came first.
    @discardableResult
    private func lock(abandonOnTermination: Bool) -> Bool {
        if ckvm_atomic_swap_if(lockWord, 0, 1) != 0 { return true }
        while true {
            if ckvm_atomic_exchange(lockWord, 2) == 0 { return true }
            _ = ckvm_futex_wait(lockWord, 2, 10_000_000)
            if abandonOnTermination, Syscall.terminationPending { return false }
        }
    }

    private func unlock() {
        if ckvm_atomic_exchange(lockWord, 0) == 2 { ckvm_futex_wake(lockWord) }
    }

    private static func now() -> UInt64 { Syscall.clockNanoseconds(CLOCK_MONOTONIC) }
}
