import CKVM
import CMewzABI
import Glibc

extension Hypercalls {
    /// MEWZ_HC_POLL for a set that holds sockets: one epoll_wait on the table's epoll instance.
    /// Registrations persist between calls (a server that polls the same sockets again costs
    /// no epoll_ctl), an entry's events are changed only when the guest asks for others, and a
    /// descriptor that wakes the wait without being asked for is dropped from the set. stdio
    /// descriptors join the set the same way; a regular file or /dev/null, which epoll refuses,
    /// is ready at once, as poll reports it.
    ///
    /// `staged[i]` (when given) says entry i's socket is received into a stage right after
    /// (MEWZ_HC_POLL_RECV): its nbytes is the stage's to report, so no FIONREAD is asked.
    func waitWithSockets(for entries: inout [mewz_hc_poll_fd], timeout deadline: UInt64?,
                         staged: [Bool]? = nil) throws(Errno) -> UInt32 {
        guard sockets.prepareEpoll() >= 0 else { throw Errno(code: ENOMEM) }
        let call = sockets.pollScratch
        call.begin()
        var entrySlots = [Int](repeating: -1, count: entries.count)
        var answersNow = false  // a handle the guest does not own is an answer already
        for (index, entry) in entries.enumerated() {
            guard let (key, fd) = pollKey(entry.handle), let slot = slot(of: key) else {
                answersNow = true
                continue
            }
            call.take(slot, key: key, fd: fd)
            call.asked[slot] = true
            call.wanted[slot] |= UInt32(Self.hostEvents(entry.events))
            entrySlots[index] = slot
        }
        // Sockets with outbox bytes held (closed by the guest or not) are watched for room too,
        // and sent to when they have it, whatever the guest asked.
        for handle in sockets.handlesHoldingBytes {
            guard let socket = sockets.anySocket(handle), let slot = slot(of: UInt64(handle)) else { continue }
            call.take(slot, key: UInt64(handle), fd: socket.fd)
            call.registered[slot] |= UInt32(POLLOUT)
        }
        for slot in call.used {
            call.registered[slot] |= call.wanted[slot]
            // epoll refuses regular files (/dev/null, a file as stdio): ready at once, as poll says.
            call.alwaysReady[slot] = !register(call.key[slot], fd: call.fd[slot], events: call.registered[slot])
            answersNow = answersNow || call.alwaysReady[slot]
        }
        var reported = false
        while !reported {
            try epollWait(call, until: answersNow ? 0 : deadline)
            for slot in call.used where call.alwaysReady[slot] { call.happened[slot] = call.wanted[slot] }
            sendHeldThatFit(call)
            // A socket is writable for the guest once nothing is held for it.
            for slot in call.used where call.asked[slot] {
                var events = call.happened[slot]
                if call.key[slot] >> 32 == 0, sockets.held[UInt32(call.key[slot])].map({ !$0.isEmpty }) == true {
                    events &= ~UInt32(POLLOUT)
                }
                if events & call.wanted[slot] == 0 && events & UInt32(POLLERR | POLLHUP) == 0 { events = 0 }
                call.happened[slot] = events
                reported = reported || events != 0
            }
            if answersNow { break }
            if let deadline, Syscall.clockNanoseconds(CLOCK_MONOTONIC) >= deadline { break }
        }

        var ready: UInt32 = 0
        for index in entries.indices {
            var entry = entries[index]
            entry.nbytes = 0
            let slot = entrySlots[index]
            if slot >= 0 {
                let asked = UInt16(MEWZ_POLL_IN | MEWZ_POLL_OUT) & entry.events
                let always = UInt16(MEWZ_POLL_ERR | MEWZ_POLL_HUP | MEWZ_POLL_NVAL)
                entry.revents = Self.guestEvents(Int16(truncatingIfNeeded: call.happened[slot])) & (asked | always)
                // `staged` was read apart from `entries` (pollAndReceive): a guest that changed
                // its count in between gets FIONREAD for what the stages do not cover.
                let isStaged = staged.map { index < $0.count && $0[index] } ?? false
                if entry.revents & UInt16(MEWZ_POLL_IN) != 0, !isStaged {
                    if call.readable[slot] == nil { call.readable[slot] = Syscall.bytesReadable(call.fd[slot]) ?? 0 }
                    entry.nbytes = call.readable[slot] ?? 0
                }
            } else {
                entry.revents = UInt16(MEWZ_POLL_NVAL)
            }
            if entry.revents != 0 { ready += 1 }
            entries[index] = entry
        }
        return ready
    }

    /// Sends what held sockets with room (or an error) hold; a socket that holds nothing any
    /// more keeps only the events the guest asked for in the set.
    private func sendHeldThatFit(_ call: PollScratch) {
        guard !sockets.held.isEmpty else { return }
        for slot in call.used where call.key[slot] >> 32 == 0 {
            let handle = UInt32(call.key[slot])
            guard sockets.held[handle] != nil, call.happened[slot] & UInt32(POLLOUT | POLLERR | POLLHUP) != 0,
                  sockets.sendHeld(handle) else { continue }
            call.registered[slot] = call.wanted[slot]
            if call.asked[slot] {
                if !register(call.key[slot], fd: call.fd[slot], events: call.wanted[slot]) { call.alwaysReady[slot] = true }
            } else if sockets.anySocket(handle) != nil {
                unregister(call.key[slot])
            }
        }
    }

    /// The scratch slot of an epoll key: a socket's handle index, then stdin, stdout, stderr.
    private func slot(of key: UInt64) -> Int? {
        if key >> 32 == 0 {
            let index = Int(key) - Int(SocketTable.handleBase)
            return index >= 0 && index < sockets.limit ? index : nil
        }
        let fd = Int32(truncatingIfNeeded: key & 0xffff_ffff)
        if fd == descriptors.stdin { return sockets.limit }
        if fd == descriptors.stdout { return sockets.limit + 1 }
        if fd == descriptors.stderr { return sockets.limit + 2 }
        return nil
    }

    /// The epoll key and host descriptor of a handle the guest owns: a socket's key is its
    /// handle, a stdio descriptor's is 1 << 32 | fd (stdout and stderr may share one).
    private func pollKey(_ handle: UInt32) -> (UInt64, Int32)? {
        if SocketTable.isSocketHandle(handle) {
            guard let socket = try? sockets.socket(handle) else { return nil }
            return (UInt64(handle), socket.fd)
        }
        guard let fd = Self.hostDescriptor(handle, in: descriptors) else { return nil }
        return (1 << 32 | UInt64(UInt32(bitPattern: fd)), fd)
    }

    /// Puts the descriptor in the epoll set with `events`, or changes its events; false when
    /// epoll cannot watch it (EPERM: a regular file; it is always ready).
    private func register(_ key: UInt64, fd: Int32, events: UInt32) -> Bool {
        let isSocket = key >> 32 == 0
        let current = isSocket ? (try? sockets.socket(UInt32(key)))?.polledEvents : sockets.polledStdio[fd]
        if current == events { return true }
        var result = ckvm_epoll_ctl(sockets.epollFD, current == nil ? CKVM_EPOLL_CTL_ADD : CKVM_EPOLL_CTL_MOD, fd, events, key)
        if result != 0, errno == EEXIST {
            result = ckvm_epoll_ctl(sockets.epollFD, CKVM_EPOLL_CTL_MOD, fd, events, key)
        }
        guard result == 0 else { return false }
        if isSocket {
            sockets.update(UInt32(key)) { $0.polledEvents = events }
        } else {
            sockets.polledStdio[fd] = events
        }
        return true
    }

    private func unregister(_ key: UInt64) {
        if key >> 32 == 0 {
            guard let socket = try? sockets.socket(UInt32(key)) else { return }
            _ = ckvm_epoll_ctl(sockets.epollFD, CKVM_EPOLL_CTL_DEL, socket.fd, 0, 0)
            sockets.update(UInt32(key)) { $0.polledEvents = nil }
        } else {
            let fd = Int32(truncatingIfNeeded: key & 0xffff_ffff)
            _ = ckvm_epoll_ctl(sockets.epollFD, CKVM_EPOLL_CTL_DEL, fd, 0, 0)
            sockets.polledStdio[fd] = nil
        }
    }

    /// epoll_wait until a descriptor of this call reports or the deadline passes; the host
    /// events land in the call's `happened`. Reports for descriptors not in the call drop them
    /// from the set.
    private func epollWait(_ call: PollScratch, until deadline: UInt64?) throws(Errno) {
        for slot in call.used { call.happened[slot] = 0 }
        while true {
            var milliseconds: Int32 = -1
            if let deadline {
                let now = Syscall.clockNanoseconds(CLOCK_MONOTONIC)
                // Rounded up: a wake-up before the deadline would only wait again.
                // (Divided before rounding: a deadline near UInt64.max cannot overflow.)
                let left = deadline > now ? deadline - now : 0
                milliseconds = Int32(clamping: left / 1_000_000 + (left % 1_000_000 == 0 ? 0 : 1))
            }
            let result = ckvm_epoll_wait(sockets.epollFD, &call.epollEvents, &call.epollKeys, milliseconds)
            if result < 0 {
                let failure = Errno(code: Int32(truncatingIfNeeded: -result))
                if failure.code == EINTR, !Syscall.terminationPending { continue }
                throw failure
            }
            var any = false
            for index in 0..<result {
                let key = call.epollKeys[index]
                if let slot = slot(of: key), call.holds(slot, key: key) {
                    call.happened[slot] = call.epollEvents[index]
                    any = true
                } else {
                    unregister(key)
                }
            }
            if any || milliseconds == 0 { return }
            if let deadline, Syscall.clockNanoseconds(CLOCK_MONOTONIC) >= deadline { return }
        }
    }
}

/// One socket poll's bookkeeping by scratch slot (a socket's handle index, then stdio's
/// three), kept in the socket table and reused: a server polls hundreds of sockets thousands
/// of times a second, and this way a poll allocates nothing per socket. The columns are
/// buffers allocated once, not arrays: an array stored in a class is checked for exclusive
/// access at every element read and write (`swift_beginAccess`, about 1% of an HTTP server's
/// monitor samples).
final class PollScratch {
    private let slots: Int
    private let mark: UnsafeMutableBufferPointer<UInt32>
    private var generation: UInt32 = 0
    /// Slots of this call, in the order they were taken.
    private let taken: UnsafeMutableBufferPointer<Int>
    private var takenCount = 0
    let key: UnsafeMutableBufferPointer<UInt64>
    let fd: UnsafeMutableBufferPointer<Int32>
    /// In the guest's set (else only watched for held outbox bytes).
    let asked: UnsafeMutableBufferPointer<Bool>
    let wanted: UnsafeMutableBufferPointer<UInt32>
    let registered: UnsafeMutableBufferPointer<UInt32>
    let happened: UnsafeMutableBufferPointer<UInt32>
    let alwaysReady: UnsafeMutableBufferPointer<Bool>
    let readable: UnsafeMutableBufferPointer<UInt64?>
    var epollEvents = [UInt32](repeating: 0, count: Int(CKVM_EPOLL_BATCH))
    var epollKeys = [UInt64](repeating: 0, count: Int(CKVM_EPOLL_BATCH))

    /// The slots of this call, in the order they were taken.
    var used: UnsafeMutableBufferPointer<Int>.SubSequence { taken[0..<takenCount] }

    init(slots: Int) {
        self.slots = slots
        func column<T>(_ value: T) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: slots)
            buffer.initialize(repeating: value)
            return buffer
        }
        mark = column(0)
        taken = column(0)
        key = column(0)
        fd = column(-1)
        asked = column(false)
        wanted = column(0)
        registered = column(0)
        happened = column(0)
        alwaysReady = column(false)
        readable = column(nil)
    }

    deinit {
        mark.deallocate()
        taken.deallocate()
        wanted.deallocate()
        registered.deallocate()
        happened.deallocate()
        key.deallocate()
        fd.deallocate()
        asked.deallocate()
        alwaysReady.deallocate()
        readable.deallocate()
    }

    /// A new call: no slot is taken.
    func begin() {
        takenCount = 0
        generation &+= 1
        if generation == 0 {  // wrapped: marks from long ago would look current
            for index in mark.indices { mark[index] = 0 }
            generation = 1
        }
    }

    /// Takes `slot` for `key` in this call (once; later takes only return).
    func take(_ slot: Int, key: UInt64, fd: Int32) {
        precondition(slot >= 0 && slot < slots, "poll scratch slot \(slot) out of range")
        guard mark[slot] != generation else { return }
        mark[slot] = generation
        taken[takenCount] = slot
        takenCount += 1
        self.key[slot] = key
        self.fd[slot] = fd
        asked[slot] = false
        wanted[slot] = 0
        registered[slot] = 0
        happened[slot] = 0
        alwaysReady[slot] = false
        readable[slot] = nil
    }

    /// The slot is this call's, for this key (stdout and stderr may share a descriptor).
    func holds(_ slot: Int, key: UInt64) -> Bool {
        slot >= 0 && slot < slots && mark[slot] == generation && self.key[slot] == key
    }
}
