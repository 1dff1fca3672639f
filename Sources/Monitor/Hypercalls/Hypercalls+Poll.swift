import CMewzABI
import Glibc

extension Hypercalls {
    /// MEWZ_HC_POLL: waits in ppoll for the guest's stdio handles (in epoll when sockets are among
    /// them: Hypercalls+SocketPoll) or its timeout, so a sleeping
    /// guest costs no host CPU; a termination signal cuts the wait short (EINTR) and the VM ends
    /// at the next KVM_RUN.
    func poll(_ address: UInt64, staged: [Bool]? = nil) -> Action {
        withArgument(mewz_hc_poll.self, at: address, name: "poll") { call in
            call.ready = 0
            guard call.nfds <= UInt32(MEWZ_HC_POLL_MAX) else {
                call.error = WASIErrno.invalid
                return .resume
            }
            let entrySize = UInt64(MemoryLayout<mewz_hc_poll_fd>.stride)
            guard let array = memory.slice(call.fds_addr, UInt64(call.nfds) * entrySize) else {
                call.error = WASIErrno.fault
                return .resume
            }
            var entries = (0..<Int(call.nfds)).map {
                array.loadUnaligned(fromByteOffset: $0 * Int(entrySize), as: mewz_hc_poll_fd.self)
            }
            do throws(Errno) {
                let deadline = Self.deadline(after: call.timeout_ns)
                // Held outbox bytes go out while the guest waits, whatever it waits for.
                call.ready = try entries.contains(where: { SocketTable.isSocketHandle($0.handle) }) || !sockets.held.isEmpty
                    ? waitWithSockets(for: &entries, timeout: deadline, staged: staged)
                    : Self.wait(for: &entries, descriptors: descriptors, timeout: deadline)
                call.error = WASIErrno.success
            } catch {
                call.error = WASIErrno.from(error)
            }
            for (index, entry) in entries.enumerated() {
                array.storeBytes(of: entry, toByteOffset: index * Int(entrySize), as: mewz_hc_poll_fd.self)
            }
            return .resume
        }
    }

    /// The CLOCK_MONOTONIC deadline `timeout` nanoseconds from now; nil for MEWZ_HC_TIMEOUT_NONE
    /// or a timeout too long to add (centuries).
    static func deadline(after timeout: UInt64) -> UInt64? {
        guard timeout != UInt64.max else { return nil }  // MEWZ_HC_TIMEOUT_NONE (UINT64_MAX: not imported)
        let (sum, overflow) = Syscall.clockNanoseconds(CLOCK_MONOTONIC).addingReportingOverflow(timeout)
        return overflow ? nil : sum
    }

    /// The host descriptor behind a guest handle, or nil when the guest owns no such handle (or
    /// the container has no such descriptor).
    static func hostDescriptor(_ handle: UInt32, in descriptors: HostDescriptors) -> Int32? {
        let fd: Int32
        switch handle {
        case 0: fd = descriptors.stdin
        case 1: fd = descriptors.stdout
        case 2: fd = descriptors.stderr
        default: return nil
        }
        return fd >= 0 ? fd : nil
    }

    /// Polls the host descriptors behind `entries` (each once, so the ppoll stays within the
    /// seccomp rule's three entries) and answers every entry's revents and nbytes; returns how
    /// many entries have revents.
    static func wait(for entries: inout [mewz_hc_poll_fd], descriptors: HostDescriptors,
                     timeout deadline: UInt64?) throws(Errno) -> UInt32 {
        var host: [pollfd] = []
        var hostIndex: [Int?] = []
        for entry in entries {
            guard let fd = hostDescriptor(entry.handle, in: descriptors) else {
                hostIndex.append(nil)
                continue
            }
            let index = host.firstIndex { $0.fd == fd } ?? {
                host.append(pollfd(fd: fd, events: 0, revents: 0))
                return host.count - 1
            }()
            host[index].events |= hostEvents(entry.events)
            hostIndex.append(index)
        }
        let invalid = hostIndex.contains(nil)
        // A handle the guest does not own is an answer already: look, but do not wait.
        _ = try Syscall.poll(&host, until: invalid ? 0 : deadline)

        var readable: [Int32: UInt64] = [:]
        var ready: UInt32 = 0
        for index in entries.indices {
            var entry = entries[index]
            entry.nbytes = 0
            if let slot = hostIndex[index] {
                let asked = UInt16(MEWZ_POLL_IN | MEWZ_POLL_OUT) & entry.events
                let always = UInt16(MEWZ_POLL_ERR | MEWZ_POLL_HUP | MEWZ_POLL_NVAL)
                entry.revents = guestEvents(host[slot].revents) & (asked | always)
                if entry.revents & UInt16(MEWZ_POLL_IN) != 0 {
                    let fd = host[slot].fd
                    if readable[fd] == nil { readable[fd] = Syscall.bytesReadable(fd) ?? 0 }
                    entry.nbytes = readable[fd] ?? 0
                }
            } else {
                entry.revents = UInt16(MEWZ_POLL_NVAL)
            }
            if entry.revents != 0 { ready += 1 }
            entries[index] = entry
        }
        return ready
    }

    static func hostEvents(_ events: UInt16) -> Int16 {
        (events & UInt16(MEWZ_POLL_IN) != 0 ? Int16(POLLIN) : 0)
            | (events & UInt16(MEWZ_POLL_OUT) != 0 ? Int16(POLLOUT) : 0)
    }

    static func guestEvents(_ revents: Int16) -> UInt16 {
        let pairs: [(Int32, Int32)] = [
            (POLLIN, MEWZ_POLL_IN), (POLLOUT, MEWZ_POLL_OUT), (POLLERR, MEWZ_POLL_ERR),
            (POLLHUP, MEWZ_POLL_HUP), (POLLNVAL, MEWZ_POLL_NVAL),
        ]
        return pairs.reduce(0) { result, pair in
            Int32(revents) & pair.0 != 0 ? result | UInt16(pair.1) : result
        }
    }
}
