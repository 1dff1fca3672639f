import CKVM
import CMewzABI
import Glibc
import ImageFormat

/// One guest: a KVM VM with one vCPU, guest RAM in slot 0, linear memory in slots 1, 2, ...
/// added as it grows (architecture.md §3, §5; LinearMemory), and the ROFS in the last slot. One VirtualMachine runs at a time
/// per process (signals are process-wide).
public final class VirtualMachine {
    private let configuration: VMConfiguration
    private let kvm: KVMSystem
    /// Holds the VM, which holds the host memory `memory` points into.
    private let vcpu: KVMVCPU
    private let memory: GuestMemory
    private let linearMemory: LinearMemory?
    /// The host directories the guest's volumes are (nil: no volumes).
    private let volumes: HostVolumes?
    private var bootInfo: mewz_boot_info
    private var hasRun = false
    /// prepareToRun()'s work, for run().
    private var prepared: Result<(Hypercalls, HypercallRing?), MonitorError>?
    private var trace: BootTrace
    /// The guest's host sockets; the preopened listeners are in it from the start.
    private let sockets = SocketTable()

    /// An ELF held in memory, copied into guest RAM; no ROFS.
    public convenience init(elf: UnsafeRawBufferPointer, configuration: VMConfiguration) throws(MonitorError) {
        try self.init(image: GuestImage(elf: elf), configuration: configuration)
    }

    /// Everything before the first KVM_RUN: opens /dev/kvm, creates the VM and vCPU, maps
    /// memory and the image (GuestImage), writes page tables, GDT and boot info, and sets
    /// CPUID and registers. The image's memory must outlive the VM.
    public init(image guestImage: GuestImage, configuration: VMConfiguration) throws(MonitorError) {
        self.configuration = configuration
        var trace = BootTrace(enabled: configuration.tracesBoot)
        try GuestLayout.validate(ramSize: configuration.ramSize, stackSize: configuration.stackSize)
        guard configuration.linearMemoryMaxPages <= MEWZ_WASM_MAX_PAGES else {
            throw .badConfiguration("linear memory of \(configuration.linearMemoryMaxPages) pages (at most \(MEWZ_WASM_MAX_PAGES))")
        }
        let budget = try MemoryBudget.split(
            limit: configuration.memoryLimit, ramSize: configuration.ramSize,
            minPages: configuration.linearMemoryMinPages, maxPages: configuration.linearMemoryMaxPages)
        let ramSize = budget.ramSize, linearMemorySize = budget.linearMemorySize
        guard let arguments = BootInfo.blob(configuration.arguments) else {
            throw .badConfiguration("an argument holds a NUL byte")
        }
        guard let environment = BootInfo.blob(configuration.environment) else {
            throw .badConfiguration("an environment variable holds a NUL byte")
        }
        guard configuration.workingDirectory.hasPrefix("/"), let workingDirectory = BootInfo.blob([configuration.workingDirectory]) else {
            throw .badConfiguration("the working directory must be an absolute path without NUL bytes")
        }
        let rofs = try guestImage.checkedROFS()
        volumes = configuration.volumes.isEmpty ? nil : try HostVolumes(configuration.volumes)
        let image: ELFImage
        do {
            image = try ELFImage(parsing: guestImage.elf, ramSize: ramSize)
        } catch {
            throw .badImage(error)
        }
        let layout = try GuestLayout(
            ramSize: ramSize, imageEnd: image.end, argumentsSize: UInt64(arguments.count),
            environmentSize: UInt64(environment.count), workingDirectorySize: UInt64(workingDirectory.count),
            stackSize: configuration.stackSize)
        let pageTables = try PageTableBuilder.build(
            ramSize: layout.ramSize, mappings: layout.mappings(image: image),
            readOnly: rofs.map { PageTableBuilder.ReadOnlyRegion(base: MEWZ_ROFS_BASE, size: UInt64($0.count)) })
        trace.mark("image-layout")

        kvm = try KVMSystem()
        let vm = try kvm.createVM()
        vm.enableInKernelAPIC()
        trace.mark("vm-create")
        let ram = try AnonymousMapping(size: ramSize, purpose: "guest RAM")
        if let file = guestImage.elfFile { try SegmentMapping.map(image, from: file, into: ram.bytes) }
        try vm.setMemoryRegion(slot: 0, guestAddress: 0, mapping: ram)
        memory = GuestMemory(regions: [GuestMemory.Region(guestAddress: 0, bytes: ram.bytes)])
        // The last slot is the ROFS's (never in `memory`: the monitor does not touch it).
        let slotCount = kvm.memorySlotCount()
        if let rofs { try vm.setReadOnlyMemoryRegion(slot: slotCount - 1, guestAddress: MEWZ_ROFS_BASE, host: rofs) }
        if linearMemorySize > 0 {
            let reservation = try AnonymousMapping(size: linearMemorySize, purpose: "linear memory")
            let slots = LinearMemorySlots(limit: linearMemorySize, slotCount: slotCount - 2)
            let linearMemory = LinearMemory(
                reservation: reservation.bytes, slots: slots, memory: memory
            ) { [unowned vm] (slot, guestAddress, host) throws(MonitorError) in
                try vm.setMemoryRegion(slot: slot, guestAddress: guestAddress, host: host, owner: reservation)
            }
            try linearMemory.backInitial(LinearMemorySlots.initialSize(
                minPages: configuration.linearMemoryMinPages, limit: linearMemorySize))
            self.linearMemory = linearMemory
        } else {
            linearMemory = nil
        }

        guard guestImage.elfFile != nil || image.load(from: guestImage.elf, into: memory),
              memory.write(arguments, at: layout.argumentsAddress),
              memory.write(environment, at: layout.environmentAddress),
              memory.write(workingDirectory, at: layout.workingDirectoryAddress),
              memory.write(BootGDT.bytes, at: MEWZ_GDT_ADDR),
              memory.write(pageTables, at: MEWZ_PAGE_TABLE_ADDR)
        else { throw .ramTooSmall }
        let written = layout.pagesWrittenAtBoot
        memory.backNow(written.lowerBound, written.upperBound - written.lowerBound)
        // And the first two pages of linear memory, where a module's data starts (wasm-ld puts
        // it at address 1024), which its start-up writes.
        if let linearMemory { memory.backNow(MEWZ_LM_BASE, min(2 * MEWZ_PAGE_SIZE, linearMemory.backed)) }

        trace.mark("memory-setup")
        vcpu = try vm.createVCPU(mapSize: try kvm.vcpuMapSize())
        let cpuid = try kvm.supportedCPUID(cache: geteuid() == 0 ? .standard : nil)
        let features = CPUSetup.features(from: cpuid, kvmHasXCRs: kvm.has(KVM_CAP_XCRS))
        let flavor = KVMFlavor.detect()
        try Self.checkCPUFeatures(configuration.requiredCPUFeatures, flavor: flavor, cpuid: cpuid, features: features)
        try CPUSetup.configure(vcpu, cpuid: cpuid, features: features, entry: image.entry, stackTop: layout.stackTop)
        if configuration.registersPVMInterruptFlag, case .pvm(native: true) = flavor {
            _ = try PVMInterruptFlag.register(vcpu)
        }

        sockets.opensSockets = configuration.opensSockets
        let listenerHandles = try TCPListeners.open(configuration.listeners, in: sockets)
        bootInfo = BootInfo.make(
            layout: layout, argumentCount: configuration.arguments.count,
            environmentCount: configuration.environment.count,
            linearMemoryBacked: linearMemory?.backed ?? 0, linearMemoryLimit: linearMemorySize,
            cpuFeatures: GuestEntropy.features(flavor: flavor, supported: features.bootFeatures),
            tscKHz: vcpu.tscKHz() ?? CPUSetup.calibratedTSCKHz(), rofsSize: UInt64(rofs?.count ?? 0),
            listenerHandles: listenerHandles)
        bootInfo.volume_count = UInt32(configuration.volumes.count)
        guard memory.write(BootInfo.bytes(of: bootInfo), at: MEWZ_BOOT_INFO_ADDR) else { throw .ramTooSmall }
        trace.mark("vcpu-setup")
        self.trace = trace
    }

    /// Refuses an image whose code the guest could not execute here. Under kvm-pvm the guest
    /// runs natively on the host CPU (Guest/PVM.md §3), so the host's CPUID and XCR0 decide;
    /// elsewhere KVM's supported CPUID and the XCR0 the monitor sets.
    private static func checkCPUFeatures(_ required: CPUFeatures, flavor: KVMFlavor, cpuid: CPUIDTable,
                                         features: CPUSetup.Features) throws(MonitorError) {
        switch flavor {
        case .pvm(native: false):
            throw .kvmPVMNotNative
        case .pvm(native: true):
            let leaves = CPUFeatureCheck.host
            let available = CPUFeatureCheck.available(
                leaves, avxStateEnabled: CPUFeatureCheck.hostAVXStateEnabled(leaves))
            try CPUFeatureCheck.check(required: required, available: available, source: .hostCPU)
        case .hardware:
            let available = CPUFeatureCheck.available(
                CPUFeatureCheck.leaves(from: cpuid), avxStateEnabled: features.xcr0 != nil)
            try CPUFeatureCheck.check(required: required, available: available, source: .kvmSupportedCPUID)
        }
    }

    /// The part of run() that needs neither the clocks nor the signals: the hypercall handlers,
    /// the ring's server thread (asleep until run() opens the ring), and the trim of the
    /// executable's pages. The OCI layer calls it after the container process reports ready and
    /// before it waits for the runtime's commit, so this work overlaps the runtime's; run()
    /// does it itself otherwise. Once only; a failure is run()'s to report.
    public func prepareToRun() {
        guard prepared == nil, !hasRun else { return }
        // Before seccomp, which does not allow madvise.
        ckvm_trim_executable_mapping()
        let descriptors = HostDescriptors(
            stdin: configuration.stdinFD, stdout: configuration.stdoutFD, stderr: configuration.stderrFD)
        let hypercalls = Hypercalls(memory: memory, descriptors: descriptors, linearMemory: linearMemory,
                                    volumes: volumes, sockets: sockets)
        guard configuration.servesHypercallRing else {
            prepared = .success((hypercalls, nil))
            return
        }
        do {
            let server = try HypercallRing(memory: memory, hypercalls: hypercalls, owner: vcpu.vm,
                                           parksWhenStopped: configuration.confinesMonitor,
                                           spinNanoseconds: configuration.ringIdlePollNanoseconds)
            try server.start()
            prepared = .success((hypercalls, server))
        } catch {
            prepared = .failure(error)
        }
    }

    /// Writes the boot clocks and runs the vCPU until the guest ends. A trap's "wasm trap: <text>"
    /// (or a guest fault's report) goes to the guest's stderr; a `.failed` line is the caller's
    /// to print. SIGTERM, SIGINT and SIGHUP end the run as `.signaled`. Unless the configuration
    /// says otherwise, the process is confined by seccomp from just before the first KVM_RUN
    /// on, for good (Confinement).
    public func run() -> Termination {
        guard !hasRun else { return .failed("the VM has already run") }
        trace.skip()  // the wait for `start` is not start-up
        prepareToRun()
        hasRun = true

        bootInfo.boot_realtime_ns = Syscall.clockNanoseconds(CLOCK_REALTIME)
        bootInfo.boot_monotonic_ns = Syscall.clockNanoseconds(CLOCK_MONOTONIC)
        memory.write(BootInfo.bytes(of: bootInfo), at: MEWZ_BOOT_INFO_ADDR)

        guard ckvm_signals_arm(vcpu.run) == 0 else {
            return .failed(MonitorError.signalSetup(Errno.current).description)
        }
        defer { ckvm_signals_disarm() }
        trace.mark("signals")

        let hypercalls: Hypercalls, ring: HypercallRing?
        switch prepared {
        case .success(let parts): (hypercalls, ring) = parts
        case .failure(let error): return .failed(error.description)
        case nil: return .failed("the VM was not prepared")
        }
        defer { ring?.stop() }
        var profile = configuration.guestProfilePath.map { GuestProfile(path: $0) }
        if let profile {
            let note = "mewz-monitor: \(GuestProfile.environmentVariable): sampling the guest into \(profile.path);"
                + " the monitor runs without its seccomp filter\n"
            try? Syscall.writeAll(configuration.stderrFD, Array(note.utf8))
        }
        if configuration.confinesMonitor && profile == nil {
            do {
                try Confinement.confine(vcpuFD: vcpu.fd, vmFD: vcpu.vm.fd, descriptors: hypercalls.descriptors,
                                        servesVolumes: volumes != nil,
                                        walksPaths: !HostVolumes.kernelResolvesBeneath,
                                        servesSockets: configuration.hasSockets,
                                        epollFD: configuration.hasSockets ? hypercalls.sockets.prepareEpoll() : -1)
            } catch {
                return .failed(error.description)
            }
        }
        trace.mark("seccomp")
        let handler = ExitHandler(
            hypercalls: hypercalls,
            pendingSignal: { ckvm_signals_pending() },
            ring: ring)
        ring?.open()
        var counter = ExitCounter(enabled: configuration.countsExits)
        if let profile {
            do { try profile.start(vcpuFD: vcpu.fd) } catch { return .failed(error.description) }
        }
        while true {
            profile?.countHostTick()
            let exit = vcpu.runOnce()
            if profile != nil, case .interrupted = exit, ckvm_signals_pending() == 0 {
                profile?.sample(vcpu)
                continue
            }
            counter.record(exit)
            if counter.total == 1 { trace.mark("boot-to-first-exit") }
            switch handler.handle(exit) {
            case .resume:
                continue
            case .terminate(let termination, let report):
                trace.mark("guest-run")
                if let profile {
                    do { try profile.finish() } catch {
                        try? Syscall.writeAll(configuration.stderrFD, Array("mewz-monitor: \(error)\n".utf8))
                    }
                }
                if let report { try? Syscall.writeAll(configuration.stderrFD, Array((report + "\n").utf8)) }
                if trace.enabled {
                    // VM exits of the whole run, for hack/bench's exits per operation.
                    try? Syscall.writeAll(configuration.stderrFD, Array((trace.report + "mewz-exits: \(counter.total)\n").utf8))
                }
                if counter.enabled {
                    let served = "mewz-exits: ring \(ring?.served ?? 0)\n"
                    try? Syscall.writeAll(configuration.stderrFD, Array((counter.report + served).utf8))
                }
                return termination
            }
        }
    }
}
