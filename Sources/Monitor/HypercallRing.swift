import CKVM
import CMewzABI
import Glibc

/// The monitor's end of the hypercall ring (abi.h, struct mewz_ring): a host thread that polls
/// the slot at MEWZ_RING_ADDR and answers the calls the guest posts there, so a call that
/// cannot wait costs no VM exit (tens of microseconds under kvm-pvm). After a quiet spell it
/// sleeps (`listening` 0); the guest then makes exits, and the vCPU thread wakes it after one.
///
/// Everything in the slot is the guest's to scribble on. The monitor reads only the call's
/// line (seq, number, argument; each call's once), keeps its own copy of what it writes to the
/// answer's, and decides who runs a call with a host-side word the guest cannot reach: a call
/// runs once, by the server or by the vCPU thread, and two handlers never run at once
/// (`exclusively`), whatever the guest writes.
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
    /// The guest's: the last call it posted, and that call's number and argument.
    private let postedWord: UnsafeMutablePointer<UInt32>
    private let numberWord: UnsafeMutablePointer<UInt32>
    private let argumentWord: UnsafeMutablePointer<UInt64>
    /// The monitor's, for the guest to read.
    private let answeredWord: UnsafeMutablePointer<UInt32>
    private let failedGuestWord: UnsafeMutablePointer<UInt32>
    private let listeningWord: UnsafeMutablePointer<UInt32>
    private let takenWord: UnsafeMutablePointer<UInt32>
    /// Host-side words the guest cannot reach: [0] the handler lock (0 free, 1 held, 2 held
    /// with a waiter), [1] stop, [2] the vCPU thread waits for an answer, [3] the server
    /// sleeps, [4] a served call failed (`failure` is set), [5] the last call claimed (by the
    /// server or the vCPU thread), [6] the last call answered.
    private let words: UnsafeMutablePointer<UInt32>
    private var lockWord: UnsafeMutablePointer<UInt32> { words }
    private var stopWord: UnsafeMutablePointer<UInt32> { words + 1 }
    private var vcpuWaitsWord: UnsafeMutablePointer<UInt32> { words + 2 }
    private var sleepsWord: UnsafeMutablePointer<UInt32> { words + 3 }
    private var failedWord: UnsafeMutablePointer<UInt32> { words + 4 }
    private var claimedWord: UnsafeMutablePointer<UInt32> { words + 5 }
    private var answeredHostWord: UnsafeMutablePointer<UInt32> { words + 6 }
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
        func field<T>(_ path: KeyPath<mewz_ring, T>, _ type: T.Type) -> UnsafeMutablePointer<T> {
            (bytes.baseAddress! + MemoryLayout<mewz_ring>.offset(of: path)!).assumingMemoryBound(to: T.self)
        }
        postedWord = field(\.seq, UInt32.self)
        numberWord = field(\.number, UInt32.self)
        argumentWord = field(\.argument, UInt64.self)
        answeredWord = field(\.answered, UInt32.self)
        failedGuestWord = field(\.failed, UInt32.self)
        listeningWord = field(\.listening, UInt32.self)
        takenWord = field(\.taken, UInt32.self)
        self.hypercalls = hypercalls
        self.owner = owner
        self.parksWhenStopped = parksWhenStopped
        self.spinNanoseconds = spinNanoseconds
        words = .allocate(capacity: 7)
        words.initialize(repeating: 0, count: 7)
        words[3] = 1  // asleep until `open`
        // The guest starts counting from what its slot holds at boot: zero.
        words[5] = postedWord.pointee
        words[6] = postedWord.pointee
        servedCount = .allocate(capacity: 1)
        servedCount.initialize(to: 0)
        for word in [answeredWord, failedGuestWord, listeningWord, takenWord] { word.pointee = 0 }
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
        ckvm_futex_wake(answeredHostWord)
    }

    private var stopping: Bool { ckvm_atomic_load(stopWord) != 0 }

    /// Claims call `posted` for this thread, read after `seen` (the last call claimed); false
    /// when it is that call, or another thread claimed one since. Read in that order, a
    /// `posted` seen long ago can never be claimed again after later calls ran.
    func claim(_ posted: UInt32, over seen: UInt32) -> Bool {
        posted != seen && ckvm_atomic_swap_if(claimedWord, seen, posted) != 0
    }

    /// Answers call `seq` (claimed by this thread, run with the lock held): the guest sees
    /// `failed`, written for every call (whatever the guest scribbled there), before `answered`.
    private func finish(_ seq: UInt32, _ action: Action) {
        if action != .resume {
            failure = action
            ckvm_atomic_store(failedWord, 1)
        }
        ckvm_atomic_store(failedGuestWord, action == .resume ? 0 : 1)
        ckvm_atomic_store(answeredWord, seq)
        ckvm_atomic_store(answeredHostWord, seq)
    }

    // MARK: The server thread

    /// Only this thread sets `listening`, so the guest posts only while the server is actually
    /// polling: a call never waits for a server that is still waking.
    private func serve() {
        sleepUntilWoken(holdingOff: 0)
        var quietSince = Self.now()
        var spins = 0
        // Wake-ups in a row after which no call came: the guest is not using the ring (its
        // calls wait, or it computes), so polling only takes CPU time from the vCPU. The
        // server then stays asleep a while longer each time.
        var emptyWakeups = 0
        var servedSinceWakeup = false
        while !stopping {
            let seen = ckvm_atomic_load(claimedWord)
            let posted = ckvm_atomic_load(postedWord)
            if posted != seen, ckvm_atomic_load(failedWord) == 0 {
                if claim(posted, over: seen) {
                    ckvm_atomic_store(takenWord, posted)
                    answer(posted)
                    servedCount.pointee += 1
                    servedSinceWakeup = true
                }
                // The quiet time starts at the next look at the clock, not here: a busy
                // guest's calls come faster than reading the clock for each is worth.
                quietSince = 0
                continue
            }
            spins += 1
            // No PAUSE: on a nested host, a PAUSE loop can make the hypervisor below
            // deschedule this vCPU (pause-loop exiting), and answers would wait for it.
            if spins & 63 != 0 { continue }
            let now = Self.now()
            if quietSince == 0 { quietSince = now }
            if now - quietSince < spinNanoseconds { continue }
            // Quiet: stop listening, then look at the slot once more. A guest that posted
            // meanwhile looks at `listening` after its post, so it waits in the host, and the
            // call runs once, here or in the vCPU thread.
            ckvm_atomic_store(sleepsWord, 1)
            ckvm_atomic_store_fenced(listeningWord, 0)
            if ckvm_atomic_load_fenced(postedWord) != ckvm_atomic_load(claimedWord),
               ckvm_atomic_load(failedWord) == 0 {
                ckvm_atomic_store(sleepsWord, 0)
                ckvm_atomic_store(listeningWord, 1)
                continue
            }
            emptyWakeups = servedSinceWakeup ? 0 : min(emptyWakeups + 1, 9)
            servedSinceWakeup = false
            sleepUntilWoken(holdingOff: emptyWakeups == 0 ? 0 : 1_000_000 << (emptyWakeups - 1))
            quietSince = Self.now()
        }
        guard parksWhenStopped else { return }
        while true { _ = ckvm_futex_wait(stopWord, 1, 0) }
    }

    /// Sleeps until `wake` and at least `holdingOff` nanoseconds (the VM's end cuts both
    /// short), then listens again.
    private func sleepUntilWoken(holdingOff: UInt64) {
        if holdingOff > 0 { _ = ckvm_futex_wait(stopWord, 0, holdingOff) }
        while ckvm_atomic_load(sleepsWord) != 0, !stopping { _ = ckvm_futex_wait(sleepsWord, 1, 0) }
        ckvm_atomic_store(listeningWord, 1)
    }

    /// Runs call `seq` (claimed by this thread) and answers it; a call that ends the VM is
    /// answered as failed, with the reason kept for the vCPU thread.
    private func answer(_ seq: UInt32) {
        lock(abandonOnTermination: false)
        finish(seq, runSlotCall())
        hypercalls.afterAnswer()
        unlock()
        if ckvm_atomic_load(vcpuWaitsWord) != 0 { ckvm_futex_wake(answeredHostWord) }
    }

    /// The call described by the slot, read once. Hold the lock.
    private func runSlotCall() -> Action {
        let number = numberWord.pointee
        let argument = argumentWord.pointee
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
            if let failure = lockedFailure() { return failure }
            let seen = ckvm_atomic_load(claimedWord)
            let posted = ckvm_atomic_load(postedWord)
            if claim(posted, over: seen) {
                guard lock(abandonOnTermination: true) else { return .terminate(.signaled(pendingSignal())) }
                let action = runSlotCall()
                finish(posted, action)
                hypercalls.afterAnswer()
                unlock()
                return action
            }
            // Claimed before: answered, or running on the server.
            let answered = ckvm_atomic_load(answeredHostWord)
            if answered == ckvm_atomic_load(claimedWord) { return lockedFailure() ?? .resume }
            _ = ckvm_futex_wait(answeredHostWord, answered, 10_000_000)
            let signal = pendingSignal()
            if signal != 0 { return .terminate(.signaled(signal)) }
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
