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
    func waitWithSockets(for entries: inout [mewz_hc_poll_fd], timeout deadline: UInt64?) throws(Errno) -> UInt32 {
        guard sockets.prepareEpoll() >= 0 else { throw Errno(code: ENOMEM) }
        var wanted: [UInt64: UInt32] = [:]  // epoll key -> events asked
        var keys: [UInt64?] = []
        var hostFD: [UInt64: Int32] = [:]
        for entry in entries {
            guard let (key, fd) = pollKey(entry.handle) else {
                keys.append(nil)
                continue
            }
            wanted[key, default: 0] |= UInt32(Self.hostEvents(entry.events))
            hostFD[key] = fd
            keys.append(key)
        }
        // Sockets with outbox bytes held (closed by the guest or not) are watched for room too,
        // and sent to when they have it, whatever the guest asked.
        var registered = wanted
        for handle in sockets.handlesHoldingBytes {
            guard let socket = sockets.anySocket(handle) else { continue }
            registered[UInt64(handle), default: 0] |= UInt32(POLLOUT)
            hostFD[UInt64(handle)] = socket.fd
        }
        var alwaysReady: Set<UInt64> = []
        for (key, events) in registered where !register(key, fd: hostFD[key]!, events: events) {
            alwaysReady.insert(key)
        }
        let answersNow = keys.contains(nil) || !alwaysReady.isEmpty
        var happened: [UInt64: UInt32]
        while true {
            happened = try epollWait(wanted: registered, until: answersNow ? 0 : deadline)
            for key in alwaysReady { happened[key] = wanted[key] ?? 0 }
            for (key, events) in happened where key >> 32 == 0 && sockets.held[UInt32(key)] != nil {
                guard events & UInt32(POLLOUT | POLLERR | POLLHUP) != 0,
                      sockets.sendHeld(UInt32(key)) else { continue }
                // Nothing held any more: only what the guest asked stays registered.
                let fd = hostFD[key]!
                if let asked = wanted[key] {
                    registered[key] = asked
                    if !register(key, fd: fd, events: asked) { alwaysReady.insert(key) }
                } else {
                    registered[key] = nil
                    if sockets.anySocket(UInt32(key)) != nil { unregister(key) }
                }
            }
            // A socket is writable for the guest once nothing is held for it.
            happened = happened.filter { wanted[$0.key] != nil }
            for key in happened.keys where key >> 32 == 0 && sockets.held[UInt32(key)].map({ !$0.isEmpty }) == true {
                happened[key]! &= ~UInt32(POLLOUT)
            }
            happened = happened.filter { $0.value & wanted[$0.key]! != 0 || $0.value & UInt32(POLLERR | POLLHUP) != 0 }
            if !happened.isEmpty || answersNow { break }
            if let deadline, Syscall.clockNanoseconds(CLOCK_MONOTONIC) >= deadline { break }
        }

        var ready: UInt32 = 0
        var readable: [UInt64: UInt64] = [:]
        for index in entries.indices {
            var entry = entries[index]
            entry.nbytes = 0
            if let key = keys[index] {
                let asked = UInt16(MEWZ_POLL_IN | MEWZ_POLL_OUT) & entry.events
                let always = UInt16(MEWZ_POLL_ERR | MEWZ_POLL_HUP | MEWZ_POLL_NVAL)
                entry.revents = Self.guestEvents(Int16(truncatingIfNeeded: happened[key] ?? 0)) & (asked | always)
                if entry.revents & UInt16(MEWZ_POLL_IN) != 0 {
                    if readable[key] == nil { readable[key] = Syscall.bytesReadable(hostFD[key]!) ?? 0 }
                    entry.nbytes = readable[key] ?? 0
                }
            } else {
                entry.revents = UInt16(MEWZ_POLL_NVAL)
            }
            if entry.revents != 0 { ready += 1 }
            entries[index] = entry
        }
        return ready
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

    /// epoll_wait until a wanted descriptor reports or the deadline passes; returns the host
    /// events by key. Reports for descriptors not wanted now drop them from the set.
    private func epollWait(wanted: [UInt64: UInt32], until deadline: UInt64?) throws(Errno) -> [UInt64: UInt32] {
        var events = [UInt32](repeating: 0, count: Int(CKVM_EPOLL_BATCH))
        var keys = [UInt64](repeating: 0, count: Int(CKVM_EPOLL_BATCH))
        while true {
            var milliseconds: Int32 = -1
            if let deadline {
                let now = Syscall.clockNanoseconds(CLOCK_MONOTONIC)
                // Rounded up: a wake-up before the deadline would only wait again.
                milliseconds = deadline > now ? Int32(clamping: (deadline - now + 999_999) / 1_000_000) : 0
            }
            let result = ckvm_epoll_wait(sockets.epollFD, &events, &keys, milliseconds)
            if result < 0 {
                let failure = Errno(code: Int32(truncatingIfNeeded: -result))
                if failure.code == EINTR, !Syscall.terminationPending { continue }
                throw failure
            }
            var happened: [UInt64: UInt32] = [:]
            for index in 0..<result {
                let key = keys[index]
                if wanted[key] != nil {
                    happened[key] = events[index]
                } else {
                    unregister(key)
                }
            }
            if !happened.isEmpty || milliseconds == 0 { return happened }
            if let deadline, Syscall.clockNanoseconds(CLOCK_MONOTONIC) >= deadline { return happened }
        }
    }
}
