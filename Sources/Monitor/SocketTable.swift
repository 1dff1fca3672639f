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
        /// listen() succeeded: it has connections to accept, never data to receive.
        var isListening = false
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
    /// Outbox bytes the host could not take yet, by handle (SocketTable+Held).
    var held: [UInt32: HeldBytes] = [:]
    /// Sockets in the table, the guest's and those it closed with bytes still held.
    private(set) var count = 0
    /// The bookkeeping of MEWZ_HC_POLL on sockets (Hypercalls+SocketPoll), one slot per handle
    /// and three for stdio.
    let pollScratch: PollScratch

    /// Whether sock_open may make a socket (VMConfiguration.opensSockets). Off, only a guest
    /// that calls a function its module does not import asks, and the seccomp filter may have
    /// no socket calls: the answer is an errno, not the monitor's end.
    var opensSockets = true

    init(limit: Int = Int(MEWZ_SOCK_MAX)) {
        self.limit = limit
        sockets = Array(repeating: nil, count: limit)
        pollScratch = PollScratch(slots: limit + 3)
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

    /// The socket behind `handle`, or EBADF (also once the guest closed it while bytes it
    /// sent are still held).
    func socket(_ handle: UInt32) throws(GuestErrno) -> Socket {
        guard let socket = anySocket(handle), held[handle]?.closeWhenSent != true else {
            throw GuestErrno(code: WASIErrno.badDescriptor)
        }
        return socket
    }

    /// The socket behind `handle`, closed by the guest or not.
    func anySocket(_ handle: UInt32) -> Socket? {
        guard let index = index(of: handle) else { return nil }
        return sockets[index]
    }

    func update(_ handle: UInt32, _ body: (inout Socket) -> Void) {
        guard let index = index(of: handle), var socket = sockets[index] else { return }
        body(&socket)
        sockets[index] = socket
    }

    /// Takes ownership of `fd` under the lowest free handle; EMFILE (and `fd` closed) when the
    /// table is full.
    func add(fd: Int32, isStream: Bool, isListening: Bool = false) throws(GuestErrno) -> UInt32 {
        guard let index = sockets.firstIndex(where: { $0 == nil }) else {
            Syscall.close(fd)
            throw GuestErrno(code: WASIErrno.tooManyFiles)
        }
        sockets[index] = Socket(fd: fd, isStream: isStream, isListening: isListening)
        count += 1
        return Self.handleBase + UInt32(index)
    }

    /// Closes the host socket (which also drops it from the epoll set), or, while it holds
    /// bytes the guest sent, once they are sent (as the kernel sends what a closed socket had
    /// buffered): the handle stays taken until then.
    func remove(_ handle: UInt32) throws(GuestErrno) {
        _ = try socket(handle)
        if let bytes = held[handle], !bytes.isEmpty, bytes.error == 0, !sendHeld(handle) {
            bytes.closeWhenSent = true
            return
        }
        close(handle)
    }

    /// Closes the host socket and frees its handle, whatever it held.
    func close(_ handle: UInt32) {
        guard let index = index(of: handle), let socket = sockets[index] else { return }
        sockets[index] = nil
        held[handle] = nil
        count -= 1
        Syscall.close(socket.fd)
    }

    private func index(of handle: UInt32) -> Int? {
        guard handle >= Self.handleBase else { return nil }
        let index = Int(handle - Self.handleBase)
        return index < limit ? index : nil
    }
}
