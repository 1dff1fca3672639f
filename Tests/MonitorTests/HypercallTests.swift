import CMewzABI
import Foundation
import Glibc
import Testing
@testable import Monitor

/// Hypercalls against plain memory and pipes: every hostile argument gets an errno or ends the
/// VM, and nothing outside guest memory is touched.
struct HypercallTests {
    static let argumentAddress: UInt64 = 0x1000
    static let vectorAddress: UInt64 = 0x2000
    static let dataAddress: UInt64 = 0x3000

    let fake = FakeGuestMemory()
    let stdout: TestPipe
    let stdin: TestPipe

    init() throws {
        stdout = try TestPipe()
        stdin = try TestPipe()
    }

    var hypercalls: Hypercalls {
        Hypercalls(memory: fake.memory, descriptors: HostDescriptors(stdin: stdin.readEnd, stdout: stdout.writeEnd, stderr: stdout.writeEnd))
    }

    func storeVectors(_ vectors: [(UInt64, UInt64)]) {
        for (index, (address, length)) in vectors.enumerated() {
            fake.store(mewz_hc_iovec(addr: address, len: length), at: Self.vectorAddress + UInt64(index) * 16)
        }
    }

    func write(fd: UInt32 = 1, count: UInt32, vectorAddress: UInt64 = vectorAddress) -> (Action, mewz_hc_write?) {
        fake.store(mewz_hc_write(fd: fd, iovcnt: count, iov_addr: vectorAddress, written: 99, error: 99, _pad: 0),
                   at: Self.argumentAddress)
        let action = hypercalls.handle(number: MEWZ_HC_WRITE.rawValue, argument: Self.argumentAddress)
        return (action, fake.load(mewz_hc_write.self, at: Self.argumentAddress))
    }

    func drainStdout() -> String {
        stdout.closeWriteEnd()
        return stdout.readAll()
    }

    // MARK: write

    @Test func writeGathersFromRAMAndLinearMemory() {
        fake.memory.write(Array("hello ".utf8), at: Self.dataAddress)
        fake.memory.write(Array("world\n".utf8), at: MEWZ_LM_BASE + 0x100)
        storeVectors([(Self.dataAddress, 6), (0xdead_beef_0000, 0), (MEWZ_LM_BASE + 0x100, 6)])
        let (action, answer) = write(count: 3)
        #expect(action == .resume)
        #expect(answer?.written == 12)
        #expect(answer?.error == WASIErrno.success)
        #expect(drainStdout() == "hello world\n")
    }

    static let badWrites: [(String, UInt32, UInt32, UInt64, [(UInt64, UInt64)], UInt32)] = [
        // name, fd, iovcnt, iov array address, vectors, expected errno
        ("fd 0", 0, 1, vectorAddress, [(dataAddress, 1)], WASIErrno.badDescriptor),
        ("fd 3", 3, 1, vectorAddress, [(dataAddress, 1)], WASIErrno.badDescriptor),
        ("too many vectors", 1, UInt32(MEWZ_HC_IOV_MAX) + 1, vectorAddress, [], WASIErrno.invalid),
        ("count 2^32-1", 1, .max, vectorAddress, [], WASIErrno.invalid),
        ("array past RAM", 1, 2, FakeGuestMemory.ramSize - 16, [], WASIErrno.fault),
        ("array far away", 1, 1, 0x7fff_ffff_0000, [], WASIErrno.fault),
        ("buffer past RAM", 1, 1, vectorAddress, [(FakeGuestMemory.ramSize, 1)], WASIErrno.fault),
        ("buffer straddles RAM end", 1, 1, vectorAddress, [(FakeGuestMemory.ramSize - 4, 8)], WASIErrno.fault),
        ("length overflows", 1, 1, vectorAddress, [(dataAddress, .max)], WASIErrno.fault),
        ("address overflows", 1, 1, vectorAddress, [(.max - 2, 8)], WASIErrno.fault),
        ("second buffer bad", 1, 2, vectorAddress, [(dataAddress, 4), (MEWZ_LM_BASE + 0xfff0, 0x20)], WASIErrno.fault),
    ]

    @Test(arguments: badWrites)
    func badWritesGetAnErrnoAndWriteNothing(name: String, fd: UInt32, count: UInt32, vectorAddress: UInt64,
                                            vectors: [(UInt64, UInt64)], errno: UInt32) {
        storeVectors(vectors)
        let (action, answer) = write(fd: fd, count: count, vectorAddress: vectorAddress)
        #expect(action == .resume, "\(name)")
        #expect(answer?.error == errno, "\(name)")
        #expect(answer?.written == 0, "\(name)")
        #expect(drainStdout() == "", "\(name)")
    }

    @Test func writeToAClosedPipeIsEPIPE() {
        signal(SIGPIPE, SIG_IGN)
        stdout.closeReadEnd()
        storeVectors([(Self.dataAddress, 4)])
        let (action, answer) = write(count: 1)
        #expect(action == .resume)
        #expect(answer?.error == WASIErrno.brokenPipe)
    }

    @Test func writeAllSurvivesPartialWritesOnANonBlockingPipe() throws {
        let size = 300 << 10  // several times a pipe's capacity
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        fake.memory.write(Array(payload[..<(size / 2)]), at: 0x10000)
        fake.memory.write(Array(payload[(size / 2)...]), at: 0x80000)
        storeVectors([(0x10000, UInt64(size / 2)), (0x80000, UInt64(size - size / 2))])
        _ = fcntl(stdout.writeEnd, F_SETFL, O_NONBLOCK)
        let readEnd = stdout.readEnd
        let received = ReceivedBytes()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                usleep(200)
                let count = buffer.withUnsafeMutableBytes { Glibc.read(readEnd, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                received.append(buffer[0..<count])
            }
            received.finish()
        }
        reader.start()
        let (action, answer) = write(count: 2)
        stdout.closeWriteEnd()
        received.waitUntilFinished()
        #expect(action == .resume)
        #expect(answer?.error == WASIErrno.success)
        #expect(answer?.written == UInt64(size))
        #expect(received.bytes == payload)
    }

    static let advances: [([Int], Int, [Int])] = [
        ([4, 4], 0, [4, 4]), ([4, 4], 3, [1, 4]), ([4, 4], 4, [4]), ([4, 4], 6, [2]), ([4, 4], 8, []),
    ]

    @Test(arguments: advances)
    func advanceDropsWrittenBytes(lengths: [Int], count: Int, rest: [Int]) {
        var vectors = lengths.map { iovec(iov_base: UnsafeMutableRawPointer(bitPattern: 0x1000), iov_len: $0) }[...]
        Hypercalls.advance(&vectors, by: count)
        #expect(vectors.map(\.iov_len) == rest)
        if let first = vectors.first, let written = lengths.first, count < written {
            #expect(first.iov_base == UnsafeMutableRawPointer(bitPattern: 0x1000 + count))
        }
    }

    // MARK: argument structs

    static let badArguments: [UInt64] = [0x1004, 0x1001, FakeGuestMemory.ramSize - 8, FakeGuestMemory.ramSize, 0xffff_fff8, MEWZ_LM_BASE - 8]

    @Test(arguments: [MEWZ_HC_WRITE, MEWZ_HC_READ, MEWZ_HC_RANDOM, MEWZ_HC_EXIT, MEWZ_HC_MEMORY, MEWZ_HC_POLL,
                      MEWZ_HC_SOCKET, MEWZ_HC_ACCEPT, MEWZ_HC_RECV, MEWZ_HC_SEND, MEWZ_HC_POLL_RECV].map(\.rawValue), badArguments)
    func misplacedArgumentStructsEndTheVM(number: UInt32, address: UInt64) {
        guard case .terminate(.failed(let message), nil) = hypercalls.handle(number: number, argument: address) else {
            Issue.record("hypercall \(number) at 0x\(String(address, radix: 16)) did not end the VM")
            return
        }
        #expect(message.contains("is misaligned or outside guest memory"))
    }

    @Test(arguments: [0, MEWZ_HC_COUNT.rawValue, 99, UInt32.max])
    func unknownHypercallsEndTheVM(number: UInt32) {
        #expect(hypercalls.handle(number: number, argument: Self.argumentAddress)
                == .terminate(.failed("guest made unknown hypercall \(number)")))
    }

    // MARK: read

    func read(fd: UInt32 = 0, count: UInt32 = 1) -> (Action, mewz_hc_read?) {
        fake.store(mewz_hc_read(fd: fd, iovcnt: count, iov_addr: Self.vectorAddress, nread: 99, error: 99, _pad: 0),
                   at: Self.argumentAddress)
        let action = hypercalls.handle(number: MEWZ_HC_READ.rawValue, argument: Self.argumentAddress)
        return (action, fake.load(mewz_hc_read.self, at: Self.argumentAddress))
    }

    @Test func readScattersStdinThenReportsEndOfFile() {
        stdin.writeAndClose("abcdef")
        storeVectors([(Self.dataAddress, 2), (MEWZ_LM_BASE, 10)])
        let (action, answer) = read(count: 2)
        #expect(action == .resume)
        #expect(answer?.nread == 6 && answer?.error == WASIErrno.success)
        #expect(Array(fake.ram[0x3000..<0x3002]) == Array("ab".utf8))
        #expect(Array(fake.linearMemory[0..<4]) == Array("cdef".utf8))
        let (_, end) = read(count: 2)
        #expect(end?.nread == 0 && end?.error == WASIErrno.success)
    }

    @Test func readChecksItsDescriptorAndBuffers() {
        stdin.writeAndClose("abc")
        storeVectors([(FakeGuestMemory.ramSize - 1, 2)])
        #expect(read().1?.error == WASIErrno.fault)
        #expect(read(fd: 1).1?.error == WASIErrno.badDescriptor)
        #expect(read(count: 2000).1?.error == WASIErrno.invalid)
    }

    // MARK: random

    func random(address: UInt64, length: UInt64) -> mewz_hc_random? {
        fake.store(mewz_hc_random(addr: address, len: length, error: 99, _pad: 0), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_RANDOM.rawValue, argument: Self.argumentAddress) == .resume)
        return fake.load(mewz_hc_random.self, at: Self.argumentAddress)
    }

    @Test func randomFillsTheBufferAndNothingElse() {
        #expect(random(address: MEWZ_LM_BASE + 0x10, length: 64)?.error == WASIErrno.success)
        #expect(fake.linearMemory[0x10..<0x50].contains { $0 != 0 })
        #expect(fake.linearMemory[0x50..<0x100].allSatisfy { $0 == 0 })
        #expect(fake.linearMemory[0..<0x10].allSatisfy { $0 == 0 })
    }

    static let badRandoms: [(UInt64, UInt64, UInt32)] = [
        (dataAddress, Hypercalls.maxRandomBytes + 1, WASIErrno.invalid),
        (dataAddress, .max, WASIErrno.invalid),
        (FakeGuestMemory.ramSize - 4, 8, WASIErrno.fault),
        (.max, 1, WASIErrno.fault),
        (0x7000_0000, 0, WASIErrno.fault),
        (dataAddress, 0, WASIErrno.success),
    ]

    @Test(arguments: badRandoms)
    func randomChecksLengthAndAddress(address: UInt64, length: UInt64, errno: UInt32) {
        #expect(random(address: address, length: length)?.error == errno)
    }

    // MARK: exit

    static let exits: [(UInt32, UInt32, UInt64, UInt64, UInt64, Action)] = [
        (0, MEWZ_TRAP_NONE.rawValue, 0, 0, 0, .terminate(.exited(0))),
        (0x1ff, MEWZ_TRAP_NONE.rawValue, 0, 0, 0, .terminate(.exited(0xff))),
        (0x100, MEWZ_TRAP_NONE.rawValue, 0, 0, 0, .terminate(.exited(0))),
        (0, MEWZ_TRAP_UNREACHABLE.rawValue, 0, 0, 0, .terminate(.trapped(1), report: "wasm trap: unreachable")),
        (0, MEWZ_TRAP_CALL_STACK_EXHAUSTED.rawValue, 0, 0, 0,
         .terminate(.trapped(10), report: "wasm trap: call stack exhausted")),
        (0, MEWZ_TRAP_GUEST_FAULT.rawValue, 14 << 32 | 2, 0x100abc, 0x10, .terminate(
            .trapped(11), report: "mewz-runtime: guest fault: vector 14 error 0x2 at rip 0x100abc (cr2 0x10)")),
        (0, MEWZ_TRAP_COUNT.rawValue, 0, 0, 0, .terminate(.failed("guest exited with unknown trap 12"))),
        (0, .max, 0, 0, 0, .terminate(.failed("guest exited with unknown trap 4294967295"))),
    ]

    @Test(arguments: exits)
    func exitEndsTheVMAsAsked(status: UInt32, trap: UInt32, detail: UInt64, rip: UInt64, address: UInt64, expected: Action) {
        fake.store(mewz_hc_exit(status: status, trap: trap, detail: detail, rip: rip, addr: address), at: Self.argumentAddress)
        #expect(hypercalls.handle(number: MEWZ_HC_EXIT.rawValue, argument: Self.argumentAddress) == expected)
    }
}

/// Bytes gathered by a reader thread.
final class ReceivedBytes: @unchecked Sendable {
    private let condition = NSCondition()
    private var storage: [UInt8] = []
    private var finished = false

    var bytes: [UInt8] { condition.withLock { storage } }

    func append(_ more: ArraySlice<UInt8>) { condition.withLock { storage += more } }

    func finish() {
        condition.withLock {
            finished = true
            condition.broadcast()
        }
    }

    func waitUntilFinished() {
        condition.withLock { while !finished { condition.wait() } }
    }
}
