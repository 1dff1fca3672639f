import CMewzABI
import Glibc
import Testing
@testable import Monitor

struct ExitHandlerTests {
    let fake = FakeGuestMemory()

    func handler(pendingSignal: Int32 = 0) -> ExitHandler {
        ExitHandler(hypercalls: Hypercalls(memory: fake.memory, descriptors: HostDescriptors(stdin: -1, stdout: -1, stderr: -1)),
                    pendingSignal: { pendingSignal })
    }

    static func port(_ port: UInt16, out: Bool = true, size: UInt8 = 4, count: UInt32 = 1, value: UInt32 = 0x1000) -> VMExit {
        .portAccess(.init(port: port, isOut: out, size: size, count: count, value: value))
    }

    static let base = UInt16(MEWZ_HC_PORT_BASE)

    static let failures: [(VMExit, String)] = [
        (port(0x80), "guest accessed I/O port 0x80, which has no device"),
        (port(base - 1), "guest accessed I/O port 0x4ff, which has no device"),
        (port(base + 0x100), "guest accessed I/O port 0x600, which has no device"),
        (port(base + 1, out: false), "hypercall 1: not a single 32-bit out (in, 4 bytes x 1)"),
        (port(base + 1, size: 1), "hypercall 1: not a single 32-bit out (out, 1 bytes x 1)"),
        (port(base + 1, count: 3), "hypercall 1: not a single 32-bit out (out, 4 bytes x 3)"),
        (port(base + 0xff), "guest made unknown hypercall 255"),
        (.halt(rip: 0x100123, interruptsEnabled: false),
         "guest halted at rip 0x100123 (interrupts disabled) and nothing can wake it"),
        (.halt(rip: 0x100123, interruptsEnabled: true),
         "guest halted at rip 0x100123 (interrupts enabled) and nothing can wake it"),
        (.shutdown(rip: 0x100456), "guest triple fault (shutdown) at rip 0x100456"),
        (.failEntry(hardwareReason: 0x21, rip: 0x100000), "KVM could not enter the guest: hardware reason 0x21 at rip 0x100000"),
        (.internalError(suberror: 1, rip: 0x100000), "KVM internal error 1 at rip 0x100000"),
        (.mmio(address: 0xfee0_0000, length: 4, isWrite: true, rip: 0x100010),
         "guest wrote 4 bytes at unbacked guest-physical address 0xfee00000 (rip 0x100010)"),
        (.runFailed(Errno(code: EFAULT)), "KVM_RUN: Bad address"),
        (.unknown(reason: 42, rip: 0x100000), "unexpected KVM exit reason 42 at rip 0x100000"),
    ]

    @Test(arguments: failures)
    func guestAndKVMFailuresEndTheVMWithOneLine(exit: VMExit, message: String) {
        #expect(handler().handle(exit) == .terminate(.failed(message)))
    }

    @Test func hypercallPortsReachTheDispatcher() {
        fake.store(mewz_hc_exit(status: 3, trap: 0, detail: 0, rip: 0, addr: 0), at: 0x1000)
        #expect(handler().handle(Self.port(Self.base + UInt16(MEWZ_HC_EXIT.rawValue))) == .terminate(.exited(3)))
    }

    @Test func interruptionResumesUnlessATerminationSignalIsPending() {
        #expect(handler().handle(.interrupted) == .resume)
        #expect(handler(pendingSignal: SIGTERM).handle(.interrupted) == .terminate(.signaled(SIGTERM)))
    }
}
