import CKVM
import CMewzABI
import Glibc

extension Hypercalls {
    /// MEWZ_HC_ACCEPT: the next connection of a listening socket, as a new handle.
    func accept(_ address: UInt64) -> Action {
        withArgument(mewz_hc_accept.self, at: address, name: "accept") { call in
            call.accepted = 0
            call.peer = mewz_hc_sockaddr()
            do throws(GuestErrno) {
                let listener = try sockets.socket(call.handle)
                guard sockets.count < sockets.limit else { throw GuestErrno(code: WASIErrno.tooManyFiles) }
                var storage = sockaddr_storage()
                let fd = try Self.retryingWhenBlocked(listener.fd, events: Int16(POLLIN), timeout: listener.receiveTimeout,
                                                      waits: call.flags & UInt32(MEWZ_SOCK_NONBLOCK) == 0) {
                    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                    let result = withUnsafeMutablePointer(to: &storage) { address in
                        withUnsafeMutablePointer(to: &length) {
                            ckvm_cancellable_syscall(CKVM_SYS_ACCEPT4, Int(listener.fd), Int(bitPattern: address),
                                                     Int(bitPattern: $0), Int(Self.socketFlags), 0)
                        }
                    }
                    if result < 0 { errno = Int32(truncatingIfNeeded: -result) }
                    return result < 0 ? -1 : result
                }
                call.accepted = try sockets.add(fd: Int32(fd), isStream: true)
                call.peer = SocketAddress.guest(storage)
                call.error = WASIErrno.success
            } catch {
                call.error = error.code
            }
            return .resume
        }
    }

    /// MEWZ_HC_RECV: one scattering recvmsg (MSG_WAITALL: until the buffers are full or the
    /// stream ends).
    func receive(_ address: UInt64) -> Action {
        withArgument(mewz_hc_recv.self, at: address, name: "recv") { call in
            (call.nread, call.roflags, call.from) = (0, 0, mewz_hc_sockaddr())
            do throws(GuestErrno) {
                let socket = try sockets.socket(call.handle)
                var vectors = try hostVectors(count: call.iovcnt, at: call.iov_addr)
                let flags = call.flags & UInt32(MEWZ_RECV_PEEK) != 0 ? Int32(MSG_PEEK) : 0
                // Not with PEEK: each peek sees the same queued bytes again, and the loop would
                // fill the buffers with copies of them. A peek answers what it sees (abi.h).
                let waitAll = call.flags & UInt32(MEWZ_RECV_WAITALL) != 0 && socket.isStream && flags & Int32(MSG_PEEK) == 0
                let waits = call.flags & UInt32(MEWZ_SOCK_NONBLOCK) == 0
                let wanted = vectors.reduce(0) { $0 + $1.iov_len }
                var total = 0
                var storage = sockaddr_storage()
                while !vectors.isEmpty {
                    var messageFlags: Int32 = 0
                    let count: Int
                    do throws(GuestErrno) {
                        count = try Self.retryingWhenBlocked(socket.fd, events: Int16(POLLIN), timeout: socket.receiveTimeout,
                                                             waits: waits || total > 0) {
                            Self.messageCall(&vectors, name: &storage) { message in
                                let result = recvmsg(socket.fd, &message, flags)
                                messageFlags = message.msg_flags
                                return result
                            }
                        }
                    } catch {
                        if total > 0 { break }  // a short read after data, as recv answers
                        throw error
                    }
                    if messageFlags & Int32(MSG_TRUNC) != 0 { call.roflags |= UInt32(MEWZ_RECV_TRUNCATED) }
                    total += count
                    guard waitAll, count > 0, total < wanted else { break }
                    Self.advance(&vectors, by: count)
                }
                call.nread = UInt64(total)
                call.from = SocketAddress.guest(storage)
                call.error = WASIErrno.success
            } catch {
                call.error = error.code
            }
            return .resume
        }
    }

    /// MEWZ_HC_SEND: one gathering sendmsg, to `to` when it has a family.
    func send(_ address: UInt64) -> Action {
        withArgument(mewz_hc_send.self, at: address, name: "send") { call in
            call.written = 0
            do throws(GuestErrno) {
                let socket = try sockets.socket(call.handle)
                var vectors = try hostVectors(count: call.iovcnt, at: call.iov_addr)
                try sendHeldFirst(call.handle, socket, waits: call.flags & UInt32(MEWZ_SOCK_NONBLOCK) == 0)
                var storage = sockaddr_storage()
                var nameLength: socklen_t = 0
                if call.to.family != 0 { (storage, nameLength) = try SocketAddress.host(call.to) }
                let sent = try Self.retryingWhenBlocked(socket.fd, events: Int16(POLLOUT), timeout: socket.sendTimeout,
                                                        waits: call.flags & UInt32(MEWZ_SOCK_NONBLOCK) == 0) {
                    Self.messageCall(&vectors, name: &storage, nameLength: nameLength) { message in
                        sendmsg(socket.fd, &message, Int32(MSG_NOSIGNAL))
                    }
                }
                call.written = UInt64(sent)
                call.error = WASIErrno.success
            } catch {
                call.error = error.code
            }
            return .resume
        }
    }

    /// A send goes after the outbox bytes still held for its socket: when they cannot all go
    /// now it is EAGAIN, or waits for them; a held send that failed is its error.
    private func sendHeldFirst(_ handle: UInt32, _ socket: SocketTable.Socket, waits: Bool) throws(GuestErrno) {
        guard sockets.held[handle] != nil else { return }
        while !sockets.sendHeld(handle) {
            guard waits else { throw GuestErrno(code: WASIErrno.again) }
            try Self.wait(socket.fd, for: Int16(POLLOUT), timeout: socket.sendTimeout)
        }
        let error = sockets.takeHeldError(handle)
        if error != 0 { throw GuestErrno(code: error) }
    }

    /// Runs `body` (a non-blocking socket call returning -1 and errno) again after each EAGAIN
    /// once `fd` is ready, when `waits`; else EAGAIN is the answer.
    static func retryingWhenBlocked(_ fd: Int32, events: Int16, timeout: UInt64, waits: Bool,
                                    _ body: () -> Int) throws(GuestErrno) -> Int {
        while true {
            let result = body()
            if result >= 0 { return result }
            let failure = Errno.current
            if failure.code == EINTR, !Syscall.terminationPending { continue }
            guard failure.code == EAGAIN || failure.code == EWOULDBLOCK, waits else {
                throw GuestErrno(code: WASIErrno.from(failure))
            }
            try wait(fd, for: events, timeout: timeout)
        }
    }

    /// A msghdr over `vectors` and `name` for the duration of `body`. A name length of nil
    /// offers the whole storage (recvmsg fills it).
    static func messageCall(_ vectors: inout [iovec], name: inout sockaddr_storage, nameLength: socklen_t? = nil,
                            _ body: (inout msghdr) -> Int) -> Int {
        vectors.withUnsafeMutableBufferPointer { buffer in
            withUnsafeMutablePointer(to: &name) { namePointer in
                var message = msghdr()
                message.msg_iov = buffer.baseAddress
                message.msg_iovlen = buffer.count
                let length = nameLength ?? socklen_t(MemoryLayout<sockaddr_storage>.size)
                message.msg_name = length > 0 ? UnsafeMutableRawPointer(namePointer) : nil
                message.msg_namelen = length
                return body(&message)
            }
        }
    }

    /// Drops the first `count` bytes from the vectors.
    static func advance(_ vectors: inout [iovec], by count: Int) {
        var left = count
        while left > 0, let first = vectors.first {
            if first.iov_len <= left {
                left -= first.iov_len
                vectors.removeFirst()
            } else {
                vectors[0] = iovec(iov_base: first.iov_base.map { $0 + left }, iov_len: first.iov_len - left)
                left = 0
            }
        }
    }
}
