import CMewzABI
import Dispatch
import Foundation
import Glibc
import Testing
@testable import Monitor

/// The outbox (abi.h, struct mewz_outbox) against real loopback sockets: records sent in order
/// before the call that carries them, bad records answered, bytes a full host socket cannot
/// take held and sent as it drains (before later sends, a shutdown, a close, the guest's exit),
/// and a held send that fails reported on the next send.
@Suite(.timeLimit(.minutes(1)))
struct OutboxTests {
    static let dataAddress: UInt64 = 0x20000
    let calls = SocketHypercallTests()
    var hypercalls: Hypercalls { calls.hypercalls }
    var fake: FakeGuestMemory { calls.fake }

    /// Stores the records (handle, address, length) and the count.
    func post(_ records: [(UInt32, UInt64, UInt32)]) {
        let recordsOffset = UInt64(MemoryLayout<mewz_outbox>.offset(of: \.records)!)
        let stride = UInt64(MemoryLayout<mewz_outbox_record>.stride)
        for (index, (handle, address, length)) in records.enumerated() {
            fake.store(mewz_outbox_record(addr: address, handle: handle, len: length, error: 99, held: 99),
                       at: MEWZ_OUTBOX_ADDR + recordsOffset + UInt64(index) * stride)
        }
        fake.store(UInt32(records.count), at: MEWZ_OUTBOX_ADDR)
    }

    func answers(_ count: Int) -> [mewz_outbox_record] {
        let recordsOffset = UInt64(MemoryLayout<mewz_outbox>.offset(of: \.records)!)
        let stride = UInt64(MemoryLayout<mewz_outbox_record>.stride)
        return (0..<count).map { fake.load(mewz_outbox_record.self, at: MEWZ_OUTBOX_ADDR + recordsOffset + UInt64($0) * stride)! }
    }

    func flush() {
        #expect(hypercalls.handle(number: MEWZ_HC_FLUSH.rawValue, argument: 0x1000) == .resume)
    }

    /// A connection from a host client whose receive buffer and the guest socket's send buffer
    /// are small, so a few hundred KiB fill them.
    func smallConnection() -> (guest: UInt32, client: Int32, listener: UInt32) {
        let (listening, port) = calls.listener()
        let client = SocketHypercallTests.hostClient(port: port, receiveBuffer: 4096)
        let accepted = calls.accept(listening).accepted
        #expect(calls.socketCall(MEWZ_SOCK_SETOPT, handle: accepted, arg0: MEWZ_SOCKOPT_SNDBUF.rawValue, value: 4096).error
                == WASIErrno.success)
        return (accepted, client, listening)
    }

    /// Byte i of a test stream.
    static func pattern(_ count: Int, from start: Int = 0) -> [UInt8] {
        (start..<start + count).map { UInt8(truncatingIfNeeded: $0 % 251) }
    }

    /// What a reader got is `expected`, byte for byte (compared outside #expect, which would
    /// print both arrays whole).
    static func expectStream(_ received: [UInt8]?, _ expected: [UInt8],
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(received?.count == expected.count, sourceLocation: sourceLocation)
        let same = received == expected
        #expect(same, "the bytes differ", sourceLocation: sourceLocation)
    }

    /// What the monitor keeps of a record is capped (abi.h, MEWZ_OUTBOX_HELD_MAX): a longer
    /// record, which no guest of ours makes, is refused whole, not copied into the monitor.
    @Test func aRecordLongerThanTheHeldCapIsRefused() {
        let (guest, client, _) = smallConnection()
        defer { close(client) }
        let length = Int(MEWZ_OUTBOX_HELD_MAX) + 1
        _ = fake.memory.write(Self.pattern(length), at: Self.dataAddress)
        post([(guest, Self.dataAddress, UInt32(length))])
        flush()
        let answer = answers(1)[0]
        #expect(answer.error == WASIErrno.noBuffers && answer.held == 0)
        #expect(hypercalls.sockets.held.isEmpty)
        var byte: UInt8 = 0
        #expect(recv(client, &byte, 1, Int32(MSG_DONTWAIT)) == -1 && errno == EAGAIN)  // nothing was sent
    }

    /// Fills the outbox with `records` records of 60 KiB of the pattern on `handle` (one flush
    /// each) until the monitor holds some; returns the bytes posted.
    func postUntilHeld(_ handle: UInt32) -> Int {
        let chunk = 60 << 10
        var posted = 0
        for _ in 0..<64 {
            _ = fake.memory.write(Self.pattern(chunk, from: posted), at: Self.dataAddress)
            post([(handle, Self.dataAddress, UInt32(chunk))])
            flush()
            let answer = answers(1)[0]
            #expect(answer.error == WASIErrno.success)
            posted += chunk
            if answer.held > 0 { return posted }
        }
        Issue.record("the host socket never filled")
        return posted
    }

    /// Reads the client to the end on a thread of its own (not Dispatch's pool, which the other
    /// tests' blocked readers could fill); `wait` returns what came.
    final class Reader: @unchecked Sendable {
        private var bytes: [UInt8] = []
        private let done = DispatchSemaphore(value: 0)

        init(_ fd: Int32, pause: UInt32 = 0) {
            Thread { [self] in
                usleep(pause)
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = Glibc.read(fd, &buffer, buffer.count)
                    if count <= 0 { break }
                    bytes += buffer[0..<count]
                }
                done.signal()
            }.start()
        }

        func wait() -> [UInt8]? {
            done.wait(timeout: .now() + 20) == .success ? bytes : nil
        }
    }

    @Test func recordsGoOutInOrderBeforeTheCallAndBadOnesGetAnErrno() {
        let (listening, port) = calls.listener()
        let client = SocketHypercallTests.hostClient(port: port)
        defer { close(client) }
        let handle = calls.accept(listening).accepted
        _ = fake.memory.write(Array("HTTP/1.1 200 OK\r\n".utf8), at: Self.dataAddress)
        _ = fake.memory.write(Array("body".utf8), at: Self.dataAddress + 0x100)
        post([(handle, Self.dataAddress, 17), (handle, Self.dataAddress + 0x100, 4), (999, Self.dataAddress, 4),
              (listening + 5, Self.dataAddress, 4), (handle, FakeGuestMemory.ramSize - 2, 4), (handle, Self.dataAddress, 0)])
        // Any call sends the outbox first: here a receive, which then finds the client's request.
        #expect(Glibc.write(client, "next", 4) == 4)
        let (got, text) = calls.receive(handle, length: 4)
        #expect(got.error == WASIErrno.success && text == "next")
        #expect(fake.load(UInt32.self, at: MEWZ_OUTBOX_ADDR) == 0)
        #expect(answers(6).map(\.error) == [0, 0, WASIErrno.badDescriptor, WASIErrno.badDescriptor, WASIErrno.fault, 0])
        #expect(answers(6).map(\.held) == [0, 0, 0, 0, 0, 0])
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = Glibc.read(client, &buffer, 64)
        #expect(String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == "HTTP/1.1 200 OK\r\nbody")
        // A datagram socket has no outbox.
        let datagram = calls.open(MEWZ_SOCK_AF_INET, MEWZ_SOCK_DGRAM)
        post([(datagram, Self.dataAddress, 4)])
        flush()
        #expect(answers(1)[0].error == WASIErrno.badDescriptor)
    }

    @Test func heldBytesGoBeforeLaterSendsAndAPollReportsWritableOnceTheyAreGone() {
        let (handle, client, _) = smallConnection()
        defer { close(client) }
        let posted = postUntilHeld(handle)
        // Held: a direct send cannot jump the queue; the socket is not writable for the guest.
        #expect(calls.send(handle, "tail", flags: UInt32(MEWZ_SOCK_NONBLOCK)).error == WASIErrno.again)
        let (_, notYet) = calls.poll([(handle, MEWZ_POLL_OUT)], timeout: 0)
        #expect(notYet[0].revents & UInt16(MEWZ_POLL_OUT) == 0)
        let reader = Reader(client)
        let (call, writable) = calls.poll([(handle, MEWZ_POLL_OUT)], timeout: 10_000_000_000)
        #expect(call.ready == 1 && writable[0].revents == UInt16(MEWZ_POLL_OUT))
        #expect(hypercalls.sockets.held.isEmpty)
        #expect(calls.send(handle, "tail").written == 4)
        #expect(calls.socketCall(MEWZ_SOCK_CLOSE, handle: handle).error == WASIErrno.success)
        Self.expectStream(reader.wait(), Self.pattern(posted) + Array("tail".utf8))
    }

    @Test func aCloseSendsTheHeldBytesFirstAndKeepsTheHandleUntilThen() {
        let (handle, client, listening) = smallConnection()
        defer { close(client) }
        let posted = postUntilHeld(handle)
        #expect(calls.socketCall(MEWZ_SOCK_CLOSE, handle: handle).error == WASIErrno.success)
        #expect(calls.send(handle, "x").error == WASIErrno.badDescriptor)  // closed for the guest
        #expect(hypercalls.sockets.count == 2)  // the listener and the closing socket
        let reader = Reader(client)
        // The guest waits on something else; the held bytes go out meanwhile, then the close.
        for _ in 0..<100 where hypercalls.sockets.count > 1 {
            _ = calls.poll([(listening, MEWZ_POLL_IN)], timeout: 100_000_000)
        }
        #expect(hypercalls.sockets.count == 1)
        Self.expectStream(reader.wait(), Self.pattern(posted))
    }

    @Test func aShutdownForWritingComesAfterTheHeldBytes() {
        let (handle, client, listening) = smallConnection()
        defer { close(client) }
        let posted = postUntilHeld(handle)
        #expect(calls.socketCall(MEWZ_SOCK_SHUTDOWN, handle: handle, arg0: 2).error == WASIErrno.success)
        let reader = Reader(client)
        for _ in 0..<100 where !hypercalls.sockets.held.isEmpty {
            _ = calls.poll([(listening, MEWZ_POLL_IN)], timeout: 100_000_000)
        }
        // The end of the stream after every byte, with the socket still open for the guest.
        Self.expectStream(reader.wait(), Self.pattern(posted))
        #expect(calls.socketCall(MEWZ_SOCK_PEER_ADDR, handle: handle).error == WASIErrno.success)
    }

    @Test func anExitSendsWhatIsHeldBeforeTheVMEnds() {
        let (handle, client, _) = smallConnection()
        defer { close(client) }
        let posted = postUntilHeld(handle)
        let reader = Reader(client, pause: 50_000)
        fake.store(mewz_hc_exit(status: 0, trap: 0, detail: 0, rip: 0, addr: 0), at: 0x1000)
        #expect(hypercalls.handle(number: MEWZ_HC_EXIT.rawValue, argument: 0x1000) == .terminate(.exited(0)))
        #expect(hypercalls.sockets.held.isEmpty)
        #expect(calls.socketCall(MEWZ_SOCK_CLOSE, handle: handle).error == WASIErrno.success)
        Self.expectStream(reader.wait(), Self.pattern(posted))
    }

    @Test func aHeldSendThatFailsIsTheNextSendsError() {
        let (handle, client, listening) = smallConnection()
        let posted = postUntilHeld(handle)
        #expect(posted > 0)
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(client)  // a reset, with the monitor still holding bytes
        for _ in 0..<50 where hypercalls.sockets.held[handle]?.error ?? 0 == 0 {
            _ = calls.poll([(listening, MEWZ_POLL_IN)], timeout: 20_000_000)
        }
        let error = calls.send(handle, "more").error
        #expect(error == WASIErrno.connectionReset || error == WASIErrno.brokenPipe, "\(error)")
        #expect(hypercalls.sockets.held.isEmpty)
    }

    @Test func aHeldSendThatFailsIsTheSocketsPendingSOError() {
        let (handle, client, listening) = smallConnection()
        #expect(postUntilHeld(handle) > 0)
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(client)
        for _ in 0..<50 where hypercalls.sockets.held[handle]?.error ?? 0 == 0 {
            _ = calls.poll([(listening, MEWZ_POLL_IN)], timeout: 20_000_000)
        }
        let answer = calls.socketCall(MEWZ_SOCK_GETOPT, handle: handle, arg0: MEWZ_SOCKOPT_ERROR.rawValue)
        #expect(answer.error == WASIErrno.success)
        #expect(answer.value == UInt64(WASIErrno.connectionReset) || answer.value == UInt64(WASIErrno.brokenPipe),
                "\(answer.value)")
        #expect(hypercalls.sockets.held.isEmpty)  // taken: reported once
    }

    @Test func theOutboxIsLeftAloneWhileNoSocketIsOpen() {
        post([(SocketTable.handleBase, Self.dataAddress, 4)])
        flush()
        #expect(fake.load(UInt32.self, at: MEWZ_OUTBOX_ADDR) == 1)
        #expect(answers(1)[0].error == 99)
    }
}
