import CKVM
import CMewzABI
import Foundation
import Glibc
import ImageFormat
import Testing
@testable import Monitor

/// Real guests in real VMs. Serialized: signal handling is process-wide, one run at a time.
@Suite(.serialized, .enabled(if: TestGuest.canRun, "needs /dev/kvm, and clang and ld.lld on PATH to build the test guest"),
       .timeLimit(.minutes(1)))
struct VirtualMachineTests {
    @Test func helloGuestWritesAndExits() throws {
        let run = try TestGuest.run(["hello"])
        #expect(run.termination == .exited(7))
        #expect(run.stdout == "hello from the guest\n")
        #expect(run.stderr == "")
        print("mewz-monitor: init to guest exit: \(run.elapsed)")
    }

    @Test func startupTimeOverTenRuns() throws {
        var times: [Duration] = []
        for _ in 0..<10 {
            let run = try TestGuest.run(["hello"])
            #expect(run.termination == .exited(7))
            times.append(run.elapsed)
        }
        times.sort()
        print("mewz-monitor: init to guest exit over 10 runs: min \(times[0]) median \(times[5]) max \(times[9])")
    }

    /// Writes posted to the hypercall ring are answered (by its server, or by the vCPU thread
    /// after MEWZ_HC_RING_WAIT when the host has descheduled the server) without one exit per
    /// call; the count of calls the server answered is in the exit report.
    @Test func ringServesPostedCalls() throws {
        // Patient: on a loaded machine the server thread may wait long for a CPU, or share
        // the vCPU's; polling a long while, it then still listens when the vCPU's turn comes.
        let run = try TestGuest.run(["ring", "200", "40000"]) {
            $0.servesHypercallRing = true
            $0.ringIdlePollNanoseconds = 200_000_000
            $0.countsExits = true
        }
        #expect(run.termination == .exited(0))
        #expect(run.stdout == String(repeating: "ring\n", count: 200))
        let served = run.stderr.split(separator: "\n").first { $0.hasPrefix("mewz-exits: ring ") }
        #expect(served != nil)
        print("mewz-monitor: ring: \(run.stderr.split(separator: "\n").joined(separator: "; "))")
    }

    /// prepareToRun() (the OCI layer's, before the commit) starts the ring's server early; run()
    /// then opens that one, and its calls are served as before.
    @Test func preparedRingServesPostedCalls() throws {
        let run = try TestGuest.run(["ring", "50", "40000"], configure: {
            $0.servesHypercallRing = true
            $0.ringIdlePollNanoseconds = 200_000_000
            $0.countsExits = true
        }, prepareFirst: true)
        #expect(run.termination == .exited(0))
        #expect(run.stdout == String(repeating: "ring\n", count: 50))
        #expect(run.stderr.split(separator: "\n").contains { $0.hasPrefix("mewz-exits: ring ") })
    }

    /// Without a server the slot stays OFF: the guest never gets to post.
    @Test func ringStaysClosedWithoutAServer() throws {
        let run = try TestGuest.run(["ring", "1", "200"]) { $0.servesHypercallRing = false }
        #expect(run.termination == .exited(3))
        #expect(run.stdout == "")
    }

    /// A state no honest guest writes changes nothing for the monitor.
    @Test func scribbledRingStateIsHarmless() throws {
        let run = try TestGuest.run(["ring-scribble"]) { $0.servesHypercallRing = true }
        #expect(run.termination == .exited(0))
        #expect(run.stdout == "scribbled\n")
    }

    @Test func bootInfoCarriesArgumentsEnvironmentAndLayout() throws {
        let run = try TestGuest.run(["bootinfo", "two words", ""], environment: ["A=1", "PATH=/bin"])
        #expect(run.termination == .exited(0))
        #expect(run.stdout == "probe\nbootinfo\ntwo words\n\nA=1\nPATH=/bin\n")
    }

    @Test(arguments: [
        // mode, error code (P=1, W=2, I=0x10), faulting address (nil: check below)
        ("null", UInt64(0x0), UInt64?(0)),
        ("lm", 0x0, MEWZ_LM_BASE),
        ("wp", 0x3, nil),
        ("nx", 0x11, nil),
        ("guard", 0x0, nil),
    ])
    func pageFaultsReachTheGuestsHandler(mode: String, errorCode: UInt64, address: UInt64?) throws {
        let run = try TestGuest.run([mode])
        #expect(run.termination == .trapped(MEWZ_TRAP_GUEST_FAULT.rawValue))
        #expect(run.termination.exitStatus == 134)
        #expect(run.stderr.hasPrefix("mewz-runtime: guest fault: vector 14 error 0x\(String(errorCode, radix: 16)) at rip 0x"))
        if let address {
            #expect(run.stderr.hasSuffix("(cr2 0x\(String(address, radix: 16)))\n"))
        }
    }

    /// MEWZ_GUEST_PROFILE: a guest that computes is sampled where it runs, in its own code,
    /// and says so on stderr; its exit status is unchanged.
    @Test func guestProfileSamplesTheGuestsCode() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("mewz-profile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { unlink(path) }
        let run = try TestGuest.run(["busy"]) { $0.guestProfilePath = path }
        #expect(run.termination == .exited(0))
        #expect(run.stderr.hasPrefix("mewz-monitor: MEWZ_GUEST_PROFILE: sampling the guest into \(path);"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let header = lines.first.map(String.init) ?? ""
        #expect(header.hasPrefix("# mewz-guest-profile interval-ns \(GuestProfile.intervalNanoseconds) samples "))
        let counted = lines.dropFirst().compactMap { line -> (UInt64, UInt64)? in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let rip = UInt64(fields[0], radix: 16), let count = UInt64(fields[1]) else { return nil }
            return (rip, count)
        }
        #expect(counted.count == lines.count - 1)
        let total = counted.map(\.1).reduce(0, +)
        #expect(header.contains(" samples \(total) "))
        // Tens of milliseconds of work at one tick each 50 µs: some samples however slow the host.
        #expect(total >= 5)
        let elf = try TestGuest.probe.get()
        let image = try elf.withUnsafeBytes { try ELFImage(parsing: $0, ramSize: 256 << 20) }
        let code = image.segments.filter(\.executable)
        for (rip, _) in counted {
            #expect(code.contains { rip >= $0.address && rip < $0.end }, "rip 0x\(String(rip, radix: 16)) is not guest code")
        }
    }

    @Test func guardPageFaultIsJustBelowTheStack() throws {
        let elf = try TestGuest.probe.get()
        let image = try elf.withUnsafeBytes { try ELFImage(parsing: $0, ramSize: 256 << 20) }
        let layout = try GuestLayout(
            ramSize: 256 << 20, imageEnd: image.end, argumentsSize: UInt64("probe\0guard\0".utf8.count),
            environmentSize: 0, stackSize: 8 << 20)
        let run = try TestGuest.run(["guard"])
        #expect(run.stderr.hasSuffix("(cr2 0x\(String(layout.stackBottom - 8, radix: 16)))\n"))
    }

    @Test(arguments: [
        ("triple", "guest triple fault (shutdown) at rip 0x"),
        ("unknown-call", "guest made unknown hypercall 99"),
        // One page past the end of guest RAM (the guest reads its size from the boot info).
        ("bad-argument", "hypercall write: argument at 0x\(String(VMConfiguration.baseRAMSize + 0x1000, radix: 16)) is misaligned or outside guest memory"),
        ("misaligned", "hypercall write: argument at 0x"),
        ("in", "hypercall 1: not a single 32-bit out (in, 4 bytes x 1)"),
        ("port", "guest accessed I/O port 0x80, which has no device"),
        ("call 0", "guest made unknown hypercall 0"),
        ("call 14", "guest made unknown hypercall 14"),  // MEWZ_HC_COUNT: the first past the last
        ("ring-post 2", "guest posted hypercall 2 to the ring, which serves only calls that cannot wait"),
        ("ring-post 5", "guest posted hypercall 5 to the ring, which serves only calls that cannot wait"),
        ("ring-post 99", "guest posted hypercall 99 to the ring, which serves only calls that cannot wait"),
        ("ring-misaligned", "hypercall write: argument at 0x"),
        ("call 255", "guest made unknown hypercall 255"),
        ("call 256", "guest accessed I/O port 0x600, which has no device"),
        ("outw", "hypercall 1: not a single 32-bit out (out, 2 bytes x 1)"),
    ])
    func brokenGuestsEndTheirVMWithAFailure(mode: String, message: String) throws {
        // Emulated under kvm-pvm (the probe guest registers no interrupt-flag page): a native
        // vCPU's HLT and port 0x80 never reach the monitor.
        let run = try TestGuest.run(mode.split(separator: " ").map(String.init)) {
            $0.registersPVMInterruptFlag = false
            $0.servesHypercallRing = true
        }
        guard case .failed(let text) = run.termination else {
            Issue.record("expected a failure, got \(run.termination)")
            return
        }
        #expect(text.hasPrefix(message))
        #expect(!text.contains("\n"))
        #expect(run.termination.exitStatus == 1)
    }

    @Test(arguments: [
        ("efault", WASIErrno.fault),
        ("iov-max", WASIErrno.invalid),
        ("bad-fd", WASIErrno.badDescriptor),
    ])
    func badWriteArgumentsAreAnsweredWithAnErrno(mode: String, errno: UInt32) throws {
        let run = try TestGuest.run([mode])
        #expect(run.termination == .exited(Int32(errno)))
        #expect(run.stdout == "")
    }

    @Test func writeReadsStraightFromTheLinearMemorySlot() throws {
        let run = try TestGuest.run(["lm-write"])
        #expect(run.termination == .exited(4))
        #expect(run.stdout == "\0\0\0\0")
    }

    /// 8 MiB backed at boot, then slots 2 to 6 over MEWZ_HC_MEMORY: data read in before a
    /// growth survives it, buffers may span slots, and nothing past the backed size is reachable.
    @Test func linearMemoryGrowsThroughSeveralSlots() throws {
        let run = try TestGuest.run(["lm-grow"], stdin: "abcdefgh") { $0.linearMemoryMaxPages = 4096 }
        #expect(run.termination == .exited(0))
        #expect(run.stdout == "\0\0\0\0abcdefgh")
    }

    @Test func linearMemorySlotIsAbsentWithZeroPages() throws {
        let run = try TestGuest.run(["lm-write"]) { $0.linearMemoryMaxPages = 0 }
        #expect(run.termination == .exited(Int32(100 + WASIErrno.fault)))
    }

    @Test func memoryLimitSizesTheLinearMemorySlot() throws {
        let roomy = try TestGuest.run(["lm-write"]) { $0.memoryLimit = 64 << 20 }
        #expect(roomy.termination == .exited(4))
        // 33 MiB: 32 MiB of guest RAM, nothing left for linear memory.
        let tight = try TestGuest.run(["lm-write"]) { $0.memoryLimit = 33 << 20 }
        #expect(tight.termination == .exited(Int32(100 + WASIErrno.fault)))
    }

    @Test func memoryLimitBelowTheModulesInitialMemoryIsRefused() throws {
        #expect(throws: MonitorError.memoryLimitTooSmall(limit: 40 << 20, linearMemory: 8 << 20, initial: 16 << 20)) {
            _ = try TestGuest.run(["hello"]) {
                $0.memoryLimit = 40 << 20
                $0.linearMemoryMinPages = 256
                $0.linearMemoryMaxPages = 65536
            }
        }
    }

    @Test func bootTraceNamesEveryPhaseOnStderr() throws {
        let run = try TestGuest.run(["hello"]) { $0.tracesBoot = true }
        #expect(run.termination == .exited(7))
        let lines = run.stderr.split(separator: "\n")
        let phases = lines.filter { $0.hasPrefix("mewz-boot: ") }.map { $0.split(separator: " ")[1] }
        #expect(phases == ["image-layout", "vm-create", "memory-setup", "vcpu-setup", "signals", "seccomp",
                           "boot-to-first-exit", "guest-run"])
        // Then the run's VM exits (hack/bench volume's exits per operation): at least the exit call.
        #expect(lines.count == phases.count + 1 && lines.last?.hasPrefix("mewz-exits: ") == true)
        #expect((lines.last.flatMap { Int($0.dropFirst("mewz-exits: ".count)) } ?? 0) >= 1)
        #expect(try TestGuest.run(["hello"]) { $0.tracesBoot = false }.stderr == "")
    }

    @Test func randomFillsGuestMemory() throws {
        #expect(try TestGuest.run(["random"]).termination == .exited(0))
    }

    @Test func readEchoesStdin() throws {
        let run = try TestGuest.run(["echo"], stdin: "ping\n")
        #expect(run.termination == .exited(5))
        #expect(run.stdout == "ping\n")
        let empty = try TestGuest.run(["echo"])
        #expect(empty.termination == .exited(0))
    }

    @Test func imageWithTheBuildersFeaturesRuns() throws {
        let run = try TestGuest.run(["hello"]) { $0.requiredCPUFeatures = .x86_64_v2 }
        #expect(run.termination == .exited(7))
    }

    /// A feature bit this monitor does not know stands for a CPU it cannot vouch for.
    @Test func imageNeedingAFeatureTheHostLacksIsRefused() throws {
        let unknown = CPUFeatures(rawValue: 1 << 40)
        do {
            _ = try TestGuest.run(["hello"]) { $0.requiredCPUFeatures = [.sse2, unknown] }
            Issue.record("the VM was created")
        } catch let error as MonitorError {
            #expect(error.kind == .hostCannotRunImage)
            #expect(error.description.hasPrefix("image needs CPU features this host lacks: unknown(0x10000000000) (checked against "))
        }
    }

    @Test func trapPrintsItsTextAndExits134() throws {
        let run = try TestGuest.run(["trap"])
        #expect(run.termination == .trapped(MEWZ_TRAP_UNREACHABLE.rawValue))
        #expect(run.termination.exitStatus == 134)
        #expect(run.stderr == "wasm trap: unreachable\n")
    }

    @Test func sigtermFromAnotherThreadStopsASpinningGuest() throws {
        let run = try TestGuest.run(["spin"], whileRunning: { stdout in
            // Signal only once the guest runs (the handlers are armed): it prints "spinning" first.
            var buffer = [UInt8](repeating: 0, count: 9)
            let count = buffer.withUnsafeMutableBytes { read(stdout, $0.baseAddress, $0.count) }
            if count == 9, buffer == Array("spinning\n".utf8) { kill(getpid(), SIGTERM) }
        })
        #expect(run.termination == .signaled(SIGTERM))
        #expect(run.termination.exitStatus == 128 + SIGTERM)
    }

    /// The vCPU has an in-kernel APIC (KVMVM.enableInKernelAPIC), so a `cli; hlt` blocks it in
    /// KVM rather than exiting to the monitor: the guest sleeps, using no CPU, until a signal
    /// ends the container as it would end a spinning one.
    @Test func aHaltedGuestSleepsUntilASignalStopsIt() throws {
        let before = threadCPUTime()
        let run = try TestGuest.run(["halt"], configure: {
            // Emulated under kvm-pvm only without the interrupt-flag page.
            $0.registersPVMInterruptFlag = false
        }, whileRunning: { stdout in
            // The run closes stdout's write end when it ends: signal only a guest still halted
            // after 300 ms (a SIGTERM after the run would end the test process).
            var entry = pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 300) == 0 { kill(getpid(), SIGTERM) }
        })
        let used = threadCPUTime() - before
        #expect(run.termination == .signaled(SIGTERM))
        #expect(run.elapsed >= .milliseconds(300))
        #expect(used < .milliseconds(150), "the vCPU thread used \(used) of CPU while the guest was halted")
    }

    @Test func sigtermEndsAMonitorBlockedInAGuestsWrite() throws {
        let run = try TestGuest.run(["flood"], whileRunning: { stdout in
            var buffer = [UInt8](repeating: 0, count: 9)
            let count = buffer.withUnsafeMutableBytes { read(stdout, $0.baseAddress, $0.count) }
            guard count == 9, buffer == Array("flooding\n".utf8) else { return }
            usleep(100_000)  // stop reading: the pipe fills and writev blocks
            kill(getpid(), SIGTERM)
        })
        #expect(run.termination == .signaled(SIGTERM))
    }

    /// The guest waits in the monitor's ppoll: the test thread (which runs the vCPU) uses next to
    /// no CPU across a 1 s sleep, where a spinning wait would use about 1 s.
    @Test func aSleepingGuestCostsNoHostCPU() throws {
        let before = threadCPUTime()
        let run = try TestGuest.run(["sleep", "1000"])
        let used = threadCPUTime() - before
        #expect(run.termination == .exited(0))
        #expect(run.elapsed >= .milliseconds(1000))
        #expect(used < .milliseconds(250), "the monitor used \(used) of CPU across a 1 s guest sleep")
        print("mewz-monitor: a 1 s guest sleep took \(run.elapsed) and \(used) of the vCPU thread's CPU")
    }

    @Test func pollWaitsForStdinAndReportsItsSize() throws {
        let run = try TestGuest.run(["poll-stdin"], stdin: "hello")
        #expect(run.termination == .exited(5))
        // IN | HUP (the write end is closed), 5 bytes by FIONREAD.
        #expect(run.stdout == "waiting\nrevents 17 nbytes 0005\nhello")
    }

    @Test(arguments: [("sleep-forever", "sleeping\n"), ("poll-stdin", "waiting\n")])
    func sigtermEndsAGuestWaitingInPoll(mode: String, greeting: String) throws {
        // stdin stays open and empty: poll-stdin waits for ever.
        let run = try TestGuest.run([mode], stdinStaysOpen: true, whileRunning: { stdout in
            var buffer = [UInt8](repeating: 0, count: greeting.utf8.count)
            let count = buffer.withUnsafeMutableBytes { read(stdout, $0.baseAddress, $0.count) }
            guard count == buffer.count, buffer == Array(greeting.utf8) else { return }
            usleep(50_000)  // into the ppoll
            kill(getpid(), SIGTERM)
        })
        #expect(run.termination == .signaled(SIGTERM))
    }

    /// Under kvm-pvm the guest runs natively on the host CPU, whose RDRAND/RDSEED it gets although
    /// KVM's supported CPUID omits them; elsewhere what KVM supports. Only a healthy source counts.
    @Test func theGuestMayUseTheCPUEntropyThisHostHas() throws {
        let run = try TestGuest.run(["cpu-features"])
        guard case .exited(let bits) = run.termination else {
            Issue.record("\(run.termination)")
            return
        }
        var expected: Int32 = 0
        switch KVMFlavor.detect() {
        case .pvm(native: true):
            let host = CPUFeatureCheck.hostLeaves()
            if host.leaf1ECX & (1 << 30) != 0, ckvm_cpu_entropy_healthy(0) != 0 { expected |= Int32(MEWZ_CPU_RDRAND) }
            if host.leaf7EBX & (1 << 18) != 0, ckvm_cpu_entropy_healthy(1) != 0 { expected |= Int32(MEWZ_CPU_RDSEED) }
        default:
            let supported = CPUSetup.features(from: try KVMSystem().supportedCPUID(), kvmHasXCRs: false).bootFeatures
            expected = Int32(GuestEntropy.features(flavor: .hardware, supported: supported))
        }
        #expect(bits == expected)
    }

    /// Bad pointers, lengths and counts inside valid argument structs, for every hypercall (see
    /// probe.c hostile_arguments): each answered with its errno, the VM goes on and exits 0.
    @Test func hostileArgumentsAreAnsweredWithErrnos() throws {
        let run = try TestGuest.run(["hostile"], stdin: "abcdefgh")
        #expect(run.termination == .exited(0), "check \(run.termination) failed")
        #expect(!run.stdout.isEmpty)  // the iovec that points at itself
        #expect(run.stderr == "")
    }

    /// kvm-pvm hands a `rep outsl` over one element at a time: each is a hypercall of its own
    /// (its argument struct at 0, answered EBADF) and the guest goes on; KVM on VMX/SVM hands
    /// over the whole string, which is not a hypercall and ends the VM.
    @Test func aRepeatedOutIsPerElementOrRefused() throws {
        let run = try TestGuest.run(["rep-out"])
        switch run.termination {
        case .exited(let status):
            #expect(status == 200 && run.stdout == "unknown mode\n")
        case .failed(let message):
            #expect(message == "hypercall 1: not a single 32-bit out (out, 4 bytes x 2)")
        default:
            Issue.record("\(run.termination)")
        }
    }

    /// A hundred thousand hypercalls in a row (each 45-85 µs of exits on kvm-pvm, so a million
    /// would take a minute): every one answered, nothing kept between them.
    @Test func aFloodOfHypercallsIsAnswered() throws {
        let run = try TestGuest.run(["hypercall-flood", "100000"])
        #expect(run.termination == .exited(0))
        #expect(run.stdout == "flood done\n")
        print("mewz-monitor: 100000 hypercalls in \(run.elapsed)")
    }

    @Test func aVMRunsOnce() throws {
        let elf = try TestGuest.probe.get()
        var configuration = VMConfiguration(arguments: ["probe", "trap"], environment: [], linearMemoryMaxPages: 1)
        let stderr = try TestPipe()
        configuration.stderrFD = stderr.writeEnd
        configuration.confinesMonitor = false
        try elf.withUnsafeBytes { bytes in
            let machine = try VirtualMachine(elf: bytes, configuration: configuration)
            #expect(machine.run() == .trapped(MEWZ_TRAP_UNREACHABLE.rawValue))
            #expect(machine.run() == .failed("the VM has already run"))
        }
    }

    @Test func ramTooSmallForTheStackIsRejected() throws {
        let elf = try TestGuest.probe.get()
        var configuration = VMConfiguration(arguments: ["probe"], environment: [], linearMemoryMaxPages: 1)
        configuration.ramSize = 8 << 20
        #expect(throws: MonitorError.ramTooSmall) {
            try elf.withUnsafeBytes { _ = try VirtualMachine(elf: $0, configuration: configuration) }
        }
    }

    /// Under kvm-pvm the monitor registers the interrupt-flag page, so even a guest that never
    /// registers one runs natively (hardware CPL 3) from its first instruction; elsewhere, and
    /// with the registration off, it runs at CPL 0 (kvm-pvm: emulated).
    @Test func kvmPVMGuestsStartNatively() throws {
        let native: Int32 = FileManager.default.fileExists(atPath: "/sys/module/kvm_pvm") ? 3 : 0
        #expect(try TestGuest.run(["cpl"]).termination == .exited(native))
        let emulated = try TestGuest.run(["cpl"]) { $0.registersPVMInterruptFlag = false }
        #expect(emulated.termination == .exited(0))
    }
}

/// CPU time the calling thread has used.
func threadCPUTime() -> Duration {
    var usage = rusage()
    getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD (not imported)
    let micros = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
        + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    return .microseconds(micros)
}
