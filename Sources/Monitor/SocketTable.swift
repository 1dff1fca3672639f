import CKVM
import CMewzABI
import Glibc

/// The host sockets one VM owns (abi.h "Sockets"): guest handles from MEWZ_SOCK_HANDLE_BASE
/// on, at most MEWZ_SOCK_MAX at once, each a non-blocking host socket opened in the
/// container's network namespace. Also the epoll instance MEWZ_HC_POLL waits in when the guest
/// polls sockets: made before the seccomp filter is in, which allows epoll calls on it only.
/// A class: the hypercall handler is a value, the table lives as long as the VM.
final class SocketTable {
    struct Socket {
        let fd: Int32
        let isStream: Bool
        /// SO_RCVTIMEO / SO_SNDTIMEO in nanoseconds (0: wait for ever): the host socket never
        /// blocks, so the monitor's waits honour them.
        var receiveTimeout: UInt64 = 0
        var sendTimeout: UInt64 = 0
        /// The epoll events the socket is registered with, or nil when it is not in the set.
        var polledEvents: UInt32? = nil
    }

    static let handleBase = UInt32(MEWZ_SOCK_HANDLE_BASE)
    let limit: Int
    /// -1 until prepareEpoll(), or when epoll_create1 failed (polls that involve sockets then
    /// answer ENOMEM).
    private(set) var epollFD: Int32 = -1
    private var sockets: [Socket?]
    /// epoll registrations of stdio descriptors (by host fd), for polls mixing them with sockets.
    var polledStdio: [Int32: UInt32] = [:]

    init(limit: Int = Int(MEWZ_SOCK_MAX)) {
        self.limit = limit
        sockets = Array(repeating: nil, count: limit)
    }

    /// The epoll instance, made on first use: the VM makes it before the seccomp filter is in
    /// (which forbids epoll_create1), tests only when they poll sockets.
    @discardableResult
    func prepareEpoll() -> Int32 {
        if epollFD < 0 { epollFD = ckvm_epoll_create() }
        return epollFD
    }

    deinit {
        for socket in sockets.compactMap({ $0 }) { Syscall.close(socket.fd) }
        if epollFD >= 0 { Syscall.close(epollFD) }
    }

    static func isSocketHandle(_ handle: UInt32) -> Bool {
        handle >= handleBase && handle - handleBase < UInt32(MEWZ_SOCK_MAX)
    }

    var count: Int { sockets.reduce(0) { $1 == nil ? $0 : $0 + 1 } }

    /// The socket behind `handle`, or EBADF.
    func socket(_ handle: UInt32) throws(GuestErrno) -> Socket {
        guard let index = index(of: handle), let socket = sockets[index] else {
            throw GuestErrno(code: WASIErrno.badDescriptor)
        }
        return socket
    }

    func update(_ handle: UInt32, _ body: (inout Socket) -> Void) {
        guard let index = index(of: handle), var socket = sockets[index] else { return }
        body(&socket)
        sockets[index] = socket
    }

    /// Takes ownership of `fd` under the lowest free handle; EMFILE (and `fd` closed) when the
    /// table is full.
    func add(fd: Int32, isStream: Bool) throws(GuestErrno) -> UInt32 {
        guard let index = sockets.firstIndex(where: { $0 == nil }) else {
            Syscall.close(fd)
            throw GuestErrno(code: WASIErrno.tooManyFiles)
        }
        sockets[index] = Socket(fd: fd, isStream: isStream)
        return Self.handleBase + UInt32(index)
    }

    /// Closes the host socket (which also drops it from the epoll set).
    func remove(_ handle: UInt32) throws(GuestErrno) {
        let socket = try socket(handle)
        sockets[index(of: handle)!] = nil
        Syscall.close(socket.fd)
    }

    private func index(of handle: UInt32) -> Int? {
        guard handle >= Self.handleBase else { return nil }
        let index = Int(handle - Self.handleBase)
        return index < limit ? index : nil
    }
}
