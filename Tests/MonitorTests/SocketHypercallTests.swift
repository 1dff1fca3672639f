import CMewzABI
import Foundation
import Glibc
import Testing
@testable import Monitor

/// The socket hypercalls against plain memory and real loopback sockets: a listener the host
/// connects to, data both ways, refused connections, resets, the per-VM limit, datagrams over
/// IPv6, polls of sockets, and hostile arguments.
@Suite(.timeLimit(.minutes(1)))
struct SocketHypercallTests {
    static let argumentAddress: UInt64 = 0x1000
    static let vectorAddress: UInt64 = 0x2000
    static let dataAddress: UInt64 = 0x3000
    static let pollAddress: UInt64 = 0x9000  // past MEWZ_OUTBOX_ADDR (0x5000)

    let fake = FakeGuestMemory()
    let hypercalls: Hypercalls

    init() {
        signal(SIGPIPE, SIG_IGN)
        hypercalls = Hypercalls(memory: fake.memory, descriptors: HostDescriptors(stdin: -1, stdout: -1, stderr: -1),
                                sockets: SocketTable(limit: 8))
    }

    static func address(_ family: Int32, _ bytes: [UInt8], port: UInt16) -> mewz_hc_sockaddr {
        var address = mewz_hc_sockaddr()
        address.family = UInt16(family)
        address.port = port
        withUnsafeMutableBytes(of: &address.addr) { $0.copyBytes(from: bytes) }
        return address
    }

    static let loopback4 = address(MEWZ_SOCK_AF_INET, [127, 0, 0, 1], port: 0)
    static let loopback6 = address(MEWZ_SOCK_AF_INET6, Array(repeating: 0, count: 15) + [1], port: 0)

    /// One MEWZ_HC_SOCKET call; the answered struct.
    @discardableResult
    func socketCall(_ op: mewz_sock_op, handle: UInt32 = 0, arg0: UInt32 = 0, arg1: UInt32 = 0, value: UInt64 = 0,
                    addr: mewz_hc_sockaddr = mewz_hc_sockaddr()) -> mewz_hc_socket {
        fake.store(mewz_hc_socket(op: op.rawValue, handle: handle, arg0: arg0, arg1: arg1, value: value, addr: addr,
                                  error: 99, _pad: 0), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_SOCKET.rawValue, argument: Self.argumentAddress) == .resume)
        return fake.load(mewz_hc_socket.self, at: Self.argumentAddress)!
    }

    func open(_ family: Int32 = MEWZ_SOCK_AF_INET, _ type: Int32 = MEWZ_SOCK_STREAM) -> UInt32 {
        let answer = socketCall(MEWZ_SOCK_OPEN, arg0: UInt32(family), arg1: UInt32(type))
        #expect(answer.error == WASIErrno.success)
        return answer.handle
    }

    /// A listening loopback socket and its port.
    func listener(_ local: mewz_hc_sockaddr = loopback4) -> (UInt32, UInt16) {
        let handle = open(Int32(local.family))
        #expect(socketCall(MEWZ_SOCK_BIND, handle: handle, addr: local).error == WASIErrno.success)
        #expect(socketCall(MEWZ_SOCK_LISTEN, handle: handle, arg0: 16).error == WASIErrno.success)
        let bound = socketCall(MEWZ_SOCK_LOCAL_ADDR, handle: handle)
        #expect(bound.error == WASIErrno.success && bound.addr.family == local.family && bound.addr.port != 0)
        return (handle, bound.addr.port)
    }

    /// A host-side client connected to 127.0.0.1:port, with SO_RCVBUF `receiveBuffer` when
    /// given (set before connecting, so the window is small from the start).
    static func hostClient(port: UInt16, receiveBuffer: Int32? = nil) -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(result == 0)
        return fd
    }

    func accept(_ handle: UInt32, flags: UInt32 = 0) -> mewz_hc_accept {
        fake.store(mewz_hc_accept(handle: handle, flags: flags, accepted: 99, error: 99, peer: mewz_hc_sockaddr(), _pad: 0),
                   at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_ACCEPT.rawValue, argument: Self.argumentAddress) == .resume)
        return fake.load(mewz_hc_accept.self, at: Self.argumentAddress)!
    }

    func receive(_ handle: UInt32, length: UInt64, flags: UInt32 = 0) -> (mewz_hc_recv, String) {
        fake.store(mewz_hc_iovec(addr: Self.dataAddress, len: length), at: Self.vectorAddress)
        fake.store(mewz_hc_recv(handle: handle, iovcnt: 1, iov_addr: Self.vectorAddress, flags: flags, roflags: 99,
                                nread: 99, from: mewz_hc_sockaddr(), error: 99, _pad: 0), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_RECV.rawValue, argument: Self.argumentAddress) == .resume)
        let answer = fake.load(mewz_hc_recv.self, at: Self.argumentAddress)!
        let bytes = fake.memory.slice(Self.dataAddress, min(answer.nread, length)).map { Array($0) } ?? []
        return (answer, String(decoding: bytes, as: UTF8.self))
    }

    func send(_ handle: UInt32, _ text: String, to: mewz_hc_sockaddr = mewz_hc_sockaddr(), flags: UInt32 = 0) -> mewz_hc_send {
        fake.memory.write(Array(text.utf8), at: Self.dataAddress)
        fake.store(mewz_hc_iovec(addr: Self.dataAddress, len: UInt64(text.utf8.count)), at: Self.vectorAddress)
        fake.store(mewz_hc_send(handle: handle, iovcnt: 1, iov_addr: Self.vectorAddress, flags: flags, error: 99,
                                written: 99, to: to), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_SEND.rawValue, argument: Self.argumentAddress) == .resume)
        return fake.load(mewz_hc_send.self, at: Self.argumentAddress)!
    }

    func poll(_ entries: [(UInt32, Int32)], timeout: UInt64) -> (mewz_hc_poll, [mewz_hc_poll_fd]) {
        let stride = UInt64(MemoryLayout<mewz_hc_poll_fd>.stride)
        for (index, (handle, events)) in entries.enumerated() {
            fake.store(mewz_hc_poll_fd(handle: handle, events: UInt16(events), revents: 0xffff, nbytes: 99),
                       at: Self.pollAddress + UInt64(index) * stride)
        }
        fake.store(mewz_hc_poll(fds_addr: Self.pollAddress, nfds: UInt32(entries.count), ready: 99, timeout_ns: timeout,
                                error: 99, _pad: 0), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_POLL.rawValue, argument: Self.argumentAddress) == .resume)
        let answered = entries.indices.map { fake.load(mewz_hc_poll_fd.self, at: Self.pollAddress + UInt64($0) * stride)! }
        return (fake.load(mewz_hc_poll.self, at: Self.argumentAddress)!, answered)
    }

    @Test func aListenerAcceptsAHostClientAndDataFlowsBothWays() {
        let (listening, port) = listener()
        let nothing = accept(listening, flags: UInt32(MEWZ_SOCK_NONBLOCK))
        #expect(nothing.error == WASIErrno.again)
        let client = Self.hostClient(port: port)
        defer { close(client) }
        let accepted = accept(listening)
        #expect(accepted.error == WASIErrno.success && SocketTable.isSocketHandle(accepted.accepted))
        #expect(accepted.peer.family == UInt16(MEWZ_SOCK_AF_INET) && accepted.peer.port != 0)
        let peer = socketCall(MEWZ_SOCK_PEER_ADDR, handle: accepted.accepted)
        #expect(peer.addr.port == accepted.peer.port)

        #expect(Glibc.write(client, "GET / HTTP/1.1\r\n", 16) == 16)
        let (peeked, peekedText) = receive(accepted.accepted, length: 3, flags: UInt32(MEWZ_RECV_PEEK))
        #expect(peeked.error == WASIErrno.success && peekedText == "GET")
        let (got, text) = receive(accepted.accepted, length: 64)
        #expect(got.error == WASIErrno.success && text == "GET / HTTP/1.1\r\n")
        #expect(send(accepted.accepted, "HTTP/1.1 200 OK\r\n").written == 17)
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = Glibc.read(client, &buffer, 64)
        #expect(String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == "HTTP/1.1 200 OK\r\n")

        let (empty, _) = receive(accepted.accepted, length: 8, flags: UInt32(MEWZ_SOCK_NONBLOCK))
        #expect(empty.error == WASIErrno.again && empty.nread == 0)
        #expect(Glibc.shutdown(client, Int32(SHUT_WR)) == 0)
        let (end, _) = receive(accepted.accepted, length: 8)
        #expect(end.error == WASIErrno.success && end.nread == 0)
    }

    /// A peek that waits for all would see the same queued bytes on every try: it answers what
    /// one peek sees, once, and leaves them queued.
    @Test func aPeekForMoreThanIsQueuedAnswersWhatIsThere() {
        let (listening, port) = listener()
        let client = Self.hostClient(port: port)
        defer { close(client) }
        let accepted = accept(listening)
        #expect(Glibc.write(client, "abc", 3) == 3)
        let (peeked, text) = receive(accepted.accepted, length: 12,
                                     flags: UInt32(MEWZ_RECV_PEEK) | UInt32(MEWZ_RECV_WAITALL) | UInt32(MEWZ_SOCK_NONBLOCK))
        #expect(peeked.error == WASIErrno.success && peeked.nread == 3 && text == "abc")
        let (got, again) = receive(accepted.accepted, length: 12)
        #expect(got.nread == 3 && again == "abc")
    }

    @Test func connectingToAClosedPortIsRefused() {
        // A port just bound and closed again: nothing listens there.
        let (probe, port) = listener()
        #expect(socketCall(MEWZ_SOCK_CLOSE, handle: probe).error == WASIErrno.success)
        let handle = open()
        var target = Self.loopback4
        target.port = port
        #expect(socketCall(MEWZ_SOCK_CONNECT, handle: handle, addr: target).error == WASIErrno.connectionRefused)
    }

    @Test func aGuestClientConnectsToAGuestListener() {
        let (listening, port) = listener()
        let client = open()
        var target = Self.loopback4
        target.port = port
        #expect(socketCall(MEWZ_SOCK_CONNECT, handle: client, addr: target).error == WASIErrno.success)
        let server = accept(listening)
        #expect(server.error == WASIErrno.success)
        #expect(send(client, "ping").written == 4)
        let (got, text) = receive(server.accepted, length: 4, flags: UInt32(MEWZ_RECV_WAITALL))
        #expect(got.error == WASIErrno.success && text == "ping")
    }

    @Test func aPeerResetIsAnErrorForTheGuest() {
        let (listening, port) = listener()
        let client = Self.hostClient(port: port)
        let accepted = accept(listening)
        // SO_LINGER 0: close sends RST.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(client)
        usleep(20_000)
        let (got, _) = receive(accepted.accepted, length: 8)
        #expect(got.error == WASIErrno.connectionReset)
        // The listener still serves.
        let second = Self.hostClient(port: port)
        defer { close(second) }
        #expect(accept(listening).error == WASIErrno.success)
    }

    @Test func theTableHoldsAtMostItsLimitAndClosingFreesAHandle() {
        let handles = (0..<8).map { _ in open() }
        #expect(Set(handles).count == 8)
        #expect(socketCall(MEWZ_SOCK_OPEN, arg0: UInt32(MEWZ_SOCK_AF_INET), arg1: UInt32(MEWZ_SOCK_STREAM)).error
                == WASIErrno.tooManyFiles)
        #expect(socketCall(MEWZ_SOCK_CLOSE, handle: handles[3]).error == WASIErrno.success)
        #expect(open() == handles[3])
        #expect(hypercalls.sockets.count == 8)
    }

    @Test func aListenerIsNeverReceivedIntoAStage() {
        let (listening, port) = listener()
        let client = Self.hostClient(port: port)
        defer { close(client) }
        let stageAddress: UInt64 = 0x6000, pollCall: UInt64 = 0x7000
        fake.store(mewz_hc_poll_fd(handle: listening, events: UInt16(MEWZ_POLL_IN), revents: 0, nbytes: 0),
                   at: Self.pollAddress)
        fake.store(mewz_hc_stage(buf: 0x8000, cap: 64, len: 99, error: 99, eof: 99), at: stageAddress)
        fake.store(mewz_hc_poll(fds_addr: Self.pollAddress, nfds: 1, ready: 0, timeout_ns: UInt64.max, error: 99, _pad: 0),
                   at: pollCall)
        fake.store(mewz_hc_poll_recv(poll_addr: pollCall, stages_addr: stageAddress), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_POLL_RECV.rawValue, argument: Self.argumentAddress) == .resume)
        #expect(fake.load(mewz_hc_poll_fd.self, at: Self.pollAddress)?.revents == UInt16(MEWZ_POLL_IN))
        // Nothing staged (a receive would have staged ENOTCONN); the connection is still there.
        let stage = fake.load(mewz_hc_stage.self, at: stageAddress)
        #expect(stage?.len == 0 && stage?.error == 0 && stage?.eof == 0)
        #expect(accept(listening).error == WASIErrno.success)
    }

    @Test func theDocumentedLimitIsTheDefault() {
        #expect(SocketTable().limit == Int(MEWZ_SOCK_MAX))
    }

    @Test func datagramsOverIPv6CarryTheirSender() {
        let handle = open(MEWZ_SOCK_AF_INET6, MEWZ_SOCK_DGRAM)
        #expect(socketCall(MEWZ_SOCK_BIND, handle: handle, addr: Self.loopback6).error == WASIErrno.success)
        let local = socketCall(MEWZ_SOCK_LOCAL_ADDR, handle: handle).addr
        #expect(socketCall(MEWZ_SOCK_GETOPT, handle: handle, arg0: MEWZ_SOCKOPT_TYPE.rawValue).value
                == UInt64(MEWZ_SOCK_DGRAM))
        #expect(send(handle, "datagram", to: local).written == 8)
        let (got, text) = receive(handle, length: 4)
        #expect(got.error == WASIErrno.success && text == "data")
        #expect(got.roflags == UInt32(MEWZ_RECV_TRUNCATED))
        #expect(got.from.family == UInt16(MEWZ_SOCK_AF_INET6) && got.from.port == local.port)
    }

    @Test func optionsRoundTripAndTimeoutsEndWaits() {
        let handle = open()
        for option in [MEWZ_SOCKOPT_REUSEADDR, MEWZ_SOCKOPT_KEEPALIVE, MEWZ_SOCKOPT_TCP_NODELAY] {
            #expect(socketCall(MEWZ_SOCK_SETOPT, handle: handle, arg0: option.rawValue, value: 1).error == WASIErrno.success)
            #expect(socketCall(MEWZ_SOCK_GETOPT, handle: handle, arg0: option.rawValue).value == 1)
        }
        #expect(socketCall(MEWZ_SOCK_SETOPT, handle: handle, arg0: MEWZ_SOCKOPT_LINGER.rawValue, value: 1 << 32 | 5).error
                == WASIErrno.success)
        #expect(socketCall(MEWZ_SOCK_GETOPT, handle: handle, arg0: MEWZ_SOCKOPT_LINGER.rawValue).value == 1 << 32 | 5)
        #expect(socketCall(MEWZ_SOCK_SETOPT, handle: handle, arg0: 999, value: 1).error == WASIErrno.noProtocolOption)
        #expect(socketCall(MEWZ_SOCK_SETOPT, handle: handle, arg0: MEWZ_SOCKOPT_TYPE.rawValue, value: 1).error
                == WASIErrno.noProtocolOption)

        let (listening, _) = listener()
        #expect(socketCall(MEWZ_SOCK_SETOPT, handle: listening, arg0: MEWZ_SOCKOPT_RCVTIMEO.rawValue,
                           value: 20_000_000).error == WASIErrno.success)
        #expect(accept(listening).error == WASIErrno.again)  // the 20 ms passed
    }

    @Test func pollReportsAPendingConnectionAndTimesOutWithoutOne() {
        let (listening, port) = listener()
        let (quiet, quietEntries) = poll([(listening, MEWZ_POLL_IN)], timeout: 10_000_000)
        #expect(quiet.error == WASIErrno.success && quiet.ready == 0 && quietEntries[0].revents == 0)
        let client = Self.hostClient(port: port)
        defer { close(client) }
        let (call, entries) = poll([(listening, MEWZ_POLL_IN), (UInt32(MEWZ_SOCK_HANDLE_BASE) + 7, MEWZ_POLL_IN)],
                                   timeout: UInt64.max)
        #expect(call.error == WASIErrno.success && call.ready == 2)
        #expect(entries[0].revents == UInt16(MEWZ_POLL_IN))
        #expect(entries[1].revents == UInt16(MEWZ_POLL_NVAL))  // a handle the guest does not own
        let accepted = accept(listening).accepted
        // Writable at once; readable once the client writes (nbytes from FIONREAD).
        let (_, writable) = poll([(accepted, MEWZ_POLL_IN | MEWZ_POLL_OUT)], timeout: 0)
        #expect(writable[0].revents == UInt16(MEWZ_POLL_OUT))
        #expect(Glibc.write(client, "hello", 5) == 5)
        let (_, readable) = poll([(accepted, MEWZ_POLL_IN)], timeout: UInt64.max)
        #expect(readable[0].revents == UInt16(MEWZ_POLL_IN) && readable[0].nbytes == 5)
    }

    @Test func aPollWithStagesReceivesTheReadableSocketsData() {
        let (listening, port) = listener()
        let client = Self.hostClient(port: port)
        defer { close(client) }
        let accepted = accept(listening).accepted
        #expect(Glibc.write(client, "GET / HTTP/1.1\r\n\r\n", 18) == 18)
        let stride = UInt64(MemoryLayout<mewz_hc_poll_fd>.stride)
        let stageAddress: UInt64 = 0x6000, pollCall: UInt64 = 0x7000, stageBuffer: UInt64 = 0x8000
        // Entry 0: the connection, with a stage; entry 1: the listener, without one.
        fake.store(mewz_hc_poll_fd(handle: accepted, events: UInt16(MEWZ_POLL_IN), revents: 0, nbytes: 0),
                   at: Self.pollAddress)
        fake.store(mewz_hc_poll_fd(handle: listening, events: UInt16(MEWZ_POLL_IN), revents: 0, nbytes: 0),
                   at: Self.pollAddress + stride)
        fake.store(mewz_hc_stage(buf: stageBuffer, cap: 64, len: 99, error: 99, eof: 99), at: stageAddress)
        fake.store(mewz_hc_stage(buf: 0, cap: 0, len: 99, error: 99, eof: 99), at: stageAddress + 24)
        fake.store(mewz_hc_poll(fds_addr: Self.pollAddress, nfds: 2, ready: 0, timeout_ns: UInt64.max, error: 99, _pad: 0),
                   at: pollCall)
        fake.store(mewz_hc_poll_recv(poll_addr: pollCall, stages_addr: stageAddress), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_POLL_RECV.rawValue, argument: Self.argumentAddress) == .resume)
        #expect(fake.load(mewz_hc_poll.self, at: pollCall)?.ready == 1)
        let stage = fake.load(mewz_hc_stage.self, at: stageAddress)
        #expect(stage?.len == 18 && stage?.error == 0 && stage?.eof == 0)
        #expect(fake.memory.slice(stageBuffer, 18).map { String(decoding: Array($0), as: UTF8.self) } == "GET / HTTP/1.1\r\n\r\n")
        #expect(fake.load(mewz_hc_stage.self, at: stageAddress + 24)?.len == 99)  // no stage: untouched
        // The peer closes: the next staged receive is the end of the stream.
        #expect(Glibc.shutdown(client, Int32(SHUT_WR)) == 0)
        fake.store(mewz_hc_stage(buf: stageBuffer, cap: 64, len: 99, error: 99, eof: 99), at: stageAddress)
        fake.store(mewz_hc_poll(fds_addr: Self.pollAddress, nfds: 1, ready: 0, timeout_ns: UInt64.max, error: 99, _pad: 0),
                   at: pollCall)
        #expect(hypercalls.handle(number: MEWZ_HC_POLL_RECV.rawValue, argument: Self.argumentAddress) == .resume)
        #expect(fake.load(mewz_hc_stage.self, at: stageAddress)?.eof == 1)
        // A stage outside guest memory is EFAULT for that stage, not the VM's end.
        fake.store(mewz_hc_stage(buf: FakeGuestMemory.ramSize - 8, cap: 64, len: 0, error: 0, eof: 0), at: stageAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_POLL_RECV.rawValue, argument: Self.argumentAddress) == .resume)
        #expect(fake.load(mewz_hc_stage.self, at: stageAddress)?.error == WASIErrno.fault)
    }

    /// POLL_RECV reads the stages' count apart from the entries'; through the ring the guest may
    /// change it in between. Fewer stages than entries must mean "not staged" for the rest,
    /// never an index past the stages (which would end the monitor).
    @Test func fewerStagesThanEntriesAreNotStaged() throws {
        let (listening, port) = listener()
        let client = Self.hostClient(port: port)
        defer { close(client) }
        let accepted = accept(listening).accepted
        #expect(Glibc.write(client, "abc", 3) == 3)
        var entries = [mewz_hc_poll_fd(handle: accepted, events: UInt16(MEWZ_POLL_IN), revents: 0, nbytes: 0)]
        let ready = try hypercalls.waitWithSockets(for: &entries, timeout: Hypercalls.deadline(after: 0), staged: [])
        #expect(ready == 1 && entries[0].revents & UInt16(MEWZ_POLL_IN) != 0 && entries[0].nbytes == 3)
    }

    static let badCalls: [(String, mewz_sock_op, UInt32, UInt32, UInt32, UInt32)] = [
        // name, op, handle, arg0, arg1, errno
        ("unknown op", mewz_sock_op(rawValue: 77), UInt32(MEWZ_SOCK_HANDLE_BASE), 0, 0, WASIErrno.badDescriptor),
        ("stdio handle", MEWZ_SOCK_LISTEN, 1, 0, 0, WASIErrno.badDescriptor),
        ("handle past the table", MEWZ_SOCK_LISTEN, .max, 0, 0, WASIErrno.badDescriptor),
        ("closed handle", MEWZ_SOCK_CLOSE, UInt32(MEWZ_SOCK_HANDLE_BASE) + 5, 0, 0, WASIErrno.badDescriptor),
        ("unknown family", MEWZ_SOCK_OPEN, 0, 9, UInt32(MEWZ_SOCK_STREAM), WASIErrno.familyNotSupported),
        ("unknown type", MEWZ_SOCK_OPEN, 0, UInt32(MEWZ_SOCK_AF_INET), 9, WASIErrno.protocolNotSupported),
    ]

    @Test(arguments: badCalls)
    func badCallsGetAnErrno(name: String, op: mewz_sock_op, handle: UInt32, arg0: UInt32, arg1: UInt32, errno: UInt32) {
        #expect(socketCall(op, handle: handle, arg0: arg0, arg1: arg1).error == errno, "\(name)")
    }

    @Test func anUnknownOpOnAnOpenSocketIsInvalid() {
        #expect(socketCall(mewz_sock_op(rawValue: 77), handle: open()).error == WASIErrno.invalid)
    }

    @Test func badAddressesAndBuffersGetAnErrno() {
        let handle = open()
        #expect(socketCall(MEWZ_SOCK_BIND, handle: handle, addr: mewz_hc_sockaddr()).error == WASIErrno.invalid)
        #expect(socketCall(MEWZ_SOCK_SHUTDOWN, handle: handle, arg0: 4).error == WASIErrno.invalid)
        fake.store(mewz_hc_iovec(addr: FakeGuestMemory.ramSize - 4, len: 8), at: Self.vectorAddress)
        fake.store(mewz_hc_recv(handle: handle, iovcnt: 1, iov_addr: Self.vectorAddress, flags: 0, roflags: 0,
                                nread: 99, from: mewz_hc_sockaddr(), error: 99, _pad: 0), at: Self.argumentAddress)
        _ = hypercalls.handle(number: MEWZ_HC_RECV.rawValue, argument: Self.argumentAddress)
        #expect(fake.load(mewz_hc_recv.self, at: Self.argumentAddress)?.error == WASIErrno.fault)
        // A send on a socket that never connected.
        #expect(send(handle, "x").error == WASIErrno.brokenPipe || send(handle, "x").error == WASIErrno.notConnected)
    }

    @Test func aMisalignedArgumentEndsTheVM() {
        let action = hypercalls.handle(number: MEWZ_HC_SOCKET.rawValue, argument: Self.argumentAddress + 4)
        guard case .terminate = action else {
            Issue.record("a misaligned struct was accepted")
            return
        }
    }
}

/// MEWZ_TCPLISTEN's "HOST:PORT" values and the listeners opened from them.
struct TCPListenerTests {
    @Test func numericHostsAndPortsParse() {
        let v4 = TCPListeners.parse("127.0.0.1:8080")
        #expect(v4?.family == UInt16(MEWZ_SOCK_AF_INET) && v4?.port == 8080 && v4?.addr.0 == 127 && v4?.addr.3 == 1)
        let v6 = TCPListeners.parse("[::1]:443")
        #expect(v6?.family == UInt16(MEWZ_SOCK_AF_INET6) && v6?.port == 443 && v6?.addr.15 == 1)
        for bad in ["", "8080", ":8080", "localhost:80", "127.0.0.1", "127.0.0.1:65536", "::1:80", "[::1]", "1.2.3.4:-1"] {
            #expect(TCPListeners.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func listenersAreOpenAndListeningInTheTable() throws {
        let sockets = SocketTable()
        let handles = try TCPListeners.open(["127.0.0.1:0", "[::1]:0"], in: sockets)
        #expect(handles == [SocketTable.handleBase, SocketTable.handleBase + 1])
        for handle in handles {
            let socket = try sockets.socket(handle)
            #expect(try Hypercalls.intOption(socket.fd, level: SOL_SOCKET, name: SO_ACCEPTCONN) == 1)
        }
        #expect(throws: MonitorError.self) { try TCPListeners.open(Array(repeating: "127.0.0.1:0", count: 9), in: sockets) }
    }
}
