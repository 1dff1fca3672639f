import CMewzABI
import Glibc

extension Hypercalls {
    /// MEWZ_HC_SOCKET: open, bind, listen, connect, shutdown, close, options and addresses of
    /// the guest's host sockets. Every failure is an errno for the guest, never the VM's end.
    func socket(_ address: UInt64) -> Action {
        withArgument(mewz_hc_socket.self, at: address, name: "socket") { call in
            do throws(GuestErrno) {
                try socketOperation(&call)
                call.error = WASIErrno.success
            } catch {
                call.error = error.code
            }
            return .resume
        }
    }

    private func socketOperation(_ call: inout mewz_hc_socket) throws(GuestErrno) {
        if call.op == MEWZ_SOCK_OPEN.rawValue {
            call.handle = try open(family: call.arg0, type: call.arg1)
            return
        }
        let socket = try sockets.socket(call.handle)
        switch call.op {
        case MEWZ_SOCK_BIND.rawValue:
            var (storage, length) = try SocketAddress.host(call.addr)
            try Self.check(withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket.fd, $0, length) }
            })
        case MEWZ_SOCK_LISTEN.rawValue:
            try Self.check(Glibc.listen(socket.fd, Int32(clamping: min(call.arg0, UInt32(SOMAXCONN)))))
            sockets.update(call.handle) { $0.isListening = true }
        case MEWZ_SOCK_CONNECT.rawValue:
            try connect(socket, to: call.addr, waits: call.arg0 & UInt32(MEWZ_SOCK_NONBLOCK) == 0)
        case MEWZ_SOCK_SHUTDOWN.rawValue:
            let how: Int32
            switch call.arg0 {
            case 1: how = Int32(SHUT_RD)
            case 2: how = Int32(SHUT_WR)
            case 3: how = Int32(SHUT_RDWR)
            default: throw GuestErrno(code: WASIErrno.invalid)
            }
            // Writing ends after the bytes still held for the socket, as the kernel's would.
            if how != Int32(SHUT_RD), let entry = sockets.held[call.handle], !entry.isEmpty,
               !sockets.sendHeld(call.handle) {
                entry.shutdownWhenSent = how
                return
            }
            try Self.check(Glibc.shutdown(socket.fd, how))
        case MEWZ_SOCK_CLOSE.rawValue:
            try sockets.remove(call.handle)
        case MEWZ_SOCK_GETOPT.rawValue:
            call.value = try getOption(try SocketOption(call.arg0), of: socket, handle: call.handle)
        case MEWZ_SOCK_SETOPT.rawValue:
            try setOption(try SocketOption(call.arg0), to: call.value, handle: call.handle, socket: socket)
        case MEWZ_SOCK_LOCAL_ADDR.rawValue, MEWZ_SOCK_PEER_ADDR.rawValue:
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let local = call.op == MEWZ_SOCK_LOCAL_ADDR.rawValue
            try Self.check(withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    local ? getsockname(socket.fd, $0, &length) : getpeername(socket.fd, $0, &length)
                }
            })
            call.addr = SocketAddress.guest(storage)
        default:
            throw GuestErrno(code: WASIErrno.invalid)
        }
    }

    /// A non-blocking, close-on-exec host socket; the family and type as abi.h numbers them.
    private func open(family: UInt32, type: UInt32) throws(GuestErrno) -> UInt32 {
        guard sockets.opensSockets else { throw GuestErrno(code: WASIErrno.notCapable) }
        let hostFamily: Int32
        switch Int32(bitPattern: family) {
        case MEWZ_SOCK_AF_INET: hostFamily = AF_INET
        case MEWZ_SOCK_AF_INET6: hostFamily = AF_INET6
        default: throw GuestErrno(code: WASIErrno.familyNotSupported)
        }
        let hostType: Int32
        switch Int32(bitPattern: type) {
        case MEWZ_SOCK_STREAM: hostType = Int32(SOCK_STREAM.rawValue)
        case MEWZ_SOCK_DGRAM: hostType = Int32(SOCK_DGRAM.rawValue)
        default: throw GuestErrno(code: WASIErrno.protocolNotSupported)
        }
        guard sockets.count < sockets.limit else { throw GuestErrno(code: WASIErrno.tooManyFiles) }
        let fd = Glibc.socket(hostFamily, hostType | Self.socketFlags, 0)
        guard fd >= 0 else { throw GuestErrno(code: WASIErrno.from(Errno.current)) }
        return try sockets.add(fd: fd, isStream: hostType == Int32(SOCK_STREAM.rawValue))
    }

    /// What every host socket is created with (and what seccomp allows socket() to ask for).
    static let socketFlags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    private func connect(_ socket: SocketTable.Socket, to guestAddress: mewz_hc_sockaddr, waits: Bool) throws(GuestErrno) {
        var (storage, length) = try SocketAddress.host(guestAddress)
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket.fd, $0, length) }
        }
        if result == 0 { return }
        let failure = Errno.current
        guard failure.code == EINPROGRESS, waits else { throw GuestErrno(code: WASIErrno.from(failure)) }
        try Self.wait(socket.fd, for: Int16(POLLOUT), timeout: socket.sendTimeout)
        let pending = try Self.intOption(socket.fd, level: SOL_SOCKET, name: SO_ERROR)
        if pending != 0 { throw GuestErrno(code: WASIErrno.from(Errno(code: pending))) }
    }

    private func getOption(_ option: SocketOption, of socket: SocketTable.Socket, handle: UInt32) throws(GuestErrno) -> UInt64 {
        switch option {
        case .integer(let level, let name):
            return UInt64(UInt32(bitPattern: try Self.intOption(socket.fd, level: level, name: name)))
        case .linger:
            var value = linger()
            var length = socklen_t(MemoryLayout<linger>.size)
            try Self.check(getsockopt(socket.fd, SOL_SOCKET, SO_LINGER, &value, &length))
            return SocketOption.packed(value)
        case .receiveTimeout: return socket.receiveTimeout
        case .sendTimeout: return socket.sendTimeout
        case .type: return UInt64(socket.isStream ? MEWZ_SOCK_STREAM : MEWZ_SOCK_DGRAM)
        case .error:
            // A held outbox send that failed is the socket's pending error, taken by whichever
            // asks first: SO_ERROR here or the next send (as the kernel's own pending error is).
            let held = sockets.takeHeldError(handle)
            if held != 0 { return UInt64(held) }
            let pending = try Self.intOption(socket.fd, level: SOL_SOCKET, name: SO_ERROR)
            return pending == 0 ? 0 : UInt64(WASIErrno.from(Errno(code: pending)))
        case .acceptConnections:
            return UInt64(try Self.intOption(socket.fd, level: SOL_SOCKET, name: SO_ACCEPTCONN))
        }
    }

    private func setOption(_ option: SocketOption, to value: UInt64, handle: UInt32,
                           socket: SocketTable.Socket) throws(GuestErrno) {
        switch option {
        case .integer(let level, let name):
            guard let int = Int32(exactly: Int64(bitPattern: value)) ?? Int32(exactly: value) else {
                throw GuestErrno(code: WASIErrno.invalid)
            }
            var setting = int
            try Self.check(setsockopt(socket.fd, level, name, &setting, socklen_t(MemoryLayout<Int32>.size)))
        case .linger:
            var setting = SocketOption.linger(packed: value)
            try Self.check(setsockopt(socket.fd, SOL_SOCKET, SO_LINGER, &setting, socklen_t(MemoryLayout<linger>.size)))
        case .receiveTimeout: sockets.update(handle) { $0.receiveTimeout = value }
        case .sendTimeout: sockets.update(handle) { $0.sendTimeout = value }
        case .type, .error, .acceptConnections:
            throw GuestErrno(code: WASIErrno.noProtocolOption)
        }
    }

    static func intOption(_ fd: Int32, level: Int32, name: Int32) throws(GuestErrno) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try check(getsockopt(fd, level, name, &value, &length))
        return value
    }

    /// -1 from a socket call is the host's errno as the guest's.
    static func check(_ result: Int32) throws(GuestErrno) {
        if result == -1 { throw GuestErrno(code: WASIErrno.from(Errno.current)) }
    }

    /// Waits until the non-blocking `fd` is ready for `events`, or `timeout` nanoseconds pass
    /// (0: none; then EAGAIN, as a host socket with SO_RCVTIMEO answers). A termination signal
    /// ends the wait with EINTR.
    static func wait(_ fd: Int32, for events: Int16, timeout: UInt64) throws(GuestErrno) {
        var descriptor = [pollfd(fd: fd, events: events, revents: 0)]
        let ready: Int
        do throws(Errno) {
            ready = try Syscall.poll(&descriptor, until: timeout == 0 ? nil : deadline(after: timeout))
        } catch {
            throw GuestErrno(code: WASIErrno.from(error))
        }
        if ready == 0 { throw GuestErrno(code: WASIErrno.again) }
    }
}
