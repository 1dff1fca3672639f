import CMewzABI
import Foundation
import Glibc
import Testing
@testable import Monitor

/// MEWZ_HC_POLL against plain memory, pipes and files: readiness, EOF, a gone reader, handles
/// the guest does not own, FIONREAD's nbytes and hostile arguments.
struct PollHypercallTests {
    static let argumentAddress: UInt64 = 0x1000
    static let arrayAddress: UInt64 = 0x2000

    let fake = FakeGuestMemory()
    let stdin: TestPipe
    let stdout: TestPipe
    let stderr: TestPipe

    init() throws {
        stdin = try TestPipe()
        stdout = try TestPipe()
        stderr = try TestPipe()
        signal(SIGPIPE, SIG_IGN)
    }

    func hypercalls(stdinFD: Int32? = nil) -> Hypercalls {
        Hypercalls(memory: fake.memory, descriptors: HostDescriptors(
            stdin: stdinFD ?? stdin.readEnd, stdout: stdout.writeEnd, stderr: stderr.writeEnd))
    }

    static func entry(_ handle: UInt32, _ events: Int32) -> mewz_hc_poll_fd {
        mewz_hc_poll_fd(handle: handle, events: UInt16(events), revents: 0xffff, nbytes: 99)
    }

    /// Stores the entries and the call, makes it, and returns the answered call and entries.
    func poll(_ entries: [mewz_hc_poll_fd], nfds: UInt32? = nil, timeout: UInt64 = 0,
              arrayAddress: UInt64 = arrayAddress, stdinFD: Int32? = nil) -> (mewz_hc_poll?, [mewz_hc_poll_fd]) {
        let stride = UInt64(MemoryLayout<mewz_hc_poll_fd>.stride)
        for (index, entry) in entries.enumerated() {
            fake.store(entry, at: arrayAddress + UInt64(index) * stride)
        }
        fake.store(mewz_hc_poll(fds_addr: arrayAddress, nfds: nfds ?? UInt32(entries.count), ready: 99,
                                timeout_ns: timeout, error: 99, _pad: 0), at: Self.argumentAddress)
        let action = hypercalls(stdinFD: stdinFD).handle(number: MEWZ_HC_POLL.rawValue, argument: Self.argumentAddress)
        #expect(action == .resume)
        let answered = entries.indices.compactMap {
            fake.load(mewz_hc_poll_fd.self, at: arrayAddress + UInt64($0) * stride)
        }
        return (fake.load(mewz_hc_poll.self, at: Self.argumentAddress), answered)
    }

    @Test func entryLayoutIsSixteenBytes() {
        #expect(MemoryLayout<mewz_hc_poll_fd>.stride == 16)
        #expect(MemoryLayout<mewz_hc_poll>.size == 32)
    }

    @Test func anEmptyPipeIsNotReadyAndTheTimeoutPasses() {
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN)], timeout: 10_000_000)
        #expect(call?.error == WASIErrno.success && call?.ready == 0)
        #expect(entries.first?.revents == 0 && entries.first?.nbytes == 0)
    }

    @Test func dataOnStdinIsReadableWithItsSize() {
        stdin.write("12345")
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN)], timeout: UInt64.max)
        #expect(call?.error == WASIErrno.success && call?.ready == 1)
        #expect(entries.first?.revents == UInt16(MEWZ_POLL_IN) && entries.first?.nbytes == 5)
    }

    @Test func endOfFileIsAHangUp() {
        stdin.closeWriteEnd()
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN)], timeout: UInt64.max)
        #expect(call?.ready == 1)
        #expect(entries.first?.revents == UInt16(MEWZ_POLL_HUP) && entries.first?.nbytes == 0)
    }

    @Test func aRegularFileIsReadableWithWhatIsLeft() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-poll-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: 1000)))
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        lseek(fd, 400, SEEK_SET)
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN)], timeout: UInt64.max, stdinFD: fd)
        #expect(call?.ready == 1)
        #expect(entries.first?.revents == UInt16(MEWZ_POLL_IN) && entries.first?.nbytes == 600)
    }

    @Test func devNullIsReadableWithNothingToSay() {
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN)], timeout: UInt64.max, stdinFD: fd)
        #expect(call?.ready == 1)
        #expect(entries.first?.revents == UInt16(MEWZ_POLL_IN) && entries.first?.nbytes == 0)
    }

    @Test func outputsAreWritableAndAGoneReaderIsAnError() {
        stderr.closeReadEnd()
        let (call, entries) = poll([Self.entry(1, MEWZ_POLL_OUT), Self.entry(2, MEWZ_POLL_OUT)], timeout: UInt64.max)
        #expect(call?.ready == 2)
        #expect(entries.map(\.revents) == [UInt16(MEWZ_POLL_OUT), UInt16(MEWZ_POLL_OUT | MEWZ_POLL_ERR)])
        #expect(entries.map(\.nbytes) == [0, 0])
    }

    /// Without an answer ready at once these would wait for ever (no timeout).
    @Test func handlesTheGuestDoesNotOwnAreAnsweredAtOnce() {
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN), Self.entry(3, MEWZ_POLL_IN), Self.entry(.max, 0)],
                                   timeout: UInt64.max)
        #expect(call?.error == WASIErrno.success && call?.ready == 2)
        #expect(entries.map(\.revents) == [0, UInt16(MEWZ_POLL_NVAL), UInt16(MEWZ_POLL_NVAL)])
    }

    @Test func aClosedStdinIsNVAL() throws {
        let closed = try TestPipe()
        let fd = closed.readEnd
        closed.closeReadEnd()
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN)], timeout: UInt64.max, stdinFD: fd)
        #expect(call?.ready == 1 && entries.first?.revents == UInt16(MEWZ_POLL_NVAL))
        let (none, missing) = poll([Self.entry(0, MEWZ_POLL_IN)], timeout: UInt64.max, stdinFD: -1)
        #expect(none?.ready == 1 && missing.first?.revents == UInt16(MEWZ_POLL_NVAL))
    }

    @Test func aHandleListedTwiceIsAnsweredInEachEntryForWhatItAsked() {
        stdin.write("x")
        let (call, entries) = poll([Self.entry(0, MEWZ_POLL_IN), Self.entry(0, MEWZ_POLL_OUT), Self.entry(0, 0xfff0)])
        #expect(call?.ready == 1)
        #expect(entries.map(\.revents) == [UInt16(MEWZ_POLL_IN), 0, 0])
        #expect(entries.map(\.nbytes) == [1, 0, 0])
    }

    @Test func noHandlesAndATimeoutOnlySleeps() {
        let clock = ContinuousClock()
        let start = clock.now
        let (call, _) = poll([], timeout: 20_000_000)
        #expect(call?.error == WASIErrno.success && call?.ready == 0)
        // ppoll never returns before its timeout.
        #expect(clock.now - start >= .milliseconds(20))
    }

    @Test func aTimeoutTooLongForADeadlineIsNone() {
        #expect(Hypercalls.deadline(after: UInt64.max) == nil)
        #expect(Hypercalls.deadline(after: UInt64.max - 1) == nil)
        #expect(Hypercalls.deadline(after: 0) != nil)
    }

    static let badArrays: [(String, UInt64, UInt32, UInt32)] = [
        // name, array address, nfds, errno
        ("too many", arrayAddress, UInt32(MEWZ_HC_POLL_MAX) + 1, WASIErrno.invalid),
        ("count 2^32-1", arrayAddress, .max, WASIErrno.invalid),
        ("past RAM", FakeGuestMemory.ramSize - 16, 2, WASIErrno.fault),
        ("straddles RAM end", FakeGuestMemory.ramSize - 8, 1, WASIErrno.fault),
        ("unbacked", 0x7fff_0000_0000, 1, WASIErrno.fault),
        ("wraps", UInt64.max - 7, 1, WASIErrno.fault),
    ]

    @Test(arguments: badArrays)
    func badArraysGetAnErrnoAndNoWait(name: String, address: UInt64, nfds: UInt32, errno: UInt32) {
        let (call, _) = poll([], nfds: nfds, timeout: UInt64.max, arrayAddress: address)
        #expect(call?.error == errno, "\(name)")
        #expect(call?.ready == 0, "\(name)")
    }

    /// The array may overlap the argument struct: the struct's answer is written last.
    @Test func anArrayOverTheArgumentStructLeavesTheAnswerInTheStruct() {
        stdin.write("x")
        let (call, _) = poll([Self.entry(0, MEWZ_POLL_IN)], arrayAddress: Self.argumentAddress - 8)
        #expect(call?.fds_addr == Self.argumentAddress - 8)
        #expect(call?.error == WASIErrno.success && call?.ready == 1)
    }
}
