import CMewzABI
import ImageFormat

/// What a guest run needs besides its image.
public struct VMConfiguration: Sendable {
    /// WASI argv, args[0] included.
    public var arguments: [String]
    /// "KEY=VALUE" strings.
    public var environment: [String]
    /// process.cwd: an absolute path, for the guest's relative paths (boot info cwd_addr).
    public var workingDirectory = "/"
    /// The container's memory limit in bytes (config.json linux.resources.memory.limit), nil for
    /// none: it bounds guest RAM plus linear memory (MemoryBudget).
    public var memoryLimit: UInt64?
    /// The module's initial memory in Wasm pages: a limit that leaves less is refused, and this
    /// much (rounded up to 2 MiB) is backed at boot.
    public var linearMemoryMinPages: UInt32 = 0
    /// Guest RAM, slot 0 at GPA 0 (kernel, stack, page tables, the guest's page pool); a multiple
    /// of 4 KiB below 4 GiB (MEWZ_LM_BASE). Under a memory limit, the most guest RAM can be.
    /// The runtime sets it with `ramSize(for:)`.
    public var ramSize: UInt64 = baseRAMSize

    /// What the guest itself needs of its RAM: kernel, stack, page tables and a page pool with
    /// room to spare (the spec suite's guest runs in 64 MiB, and 32 MiB under a memory limit).
    public static let baseRAMSize: UInt64 = 64 << 20

    /// Guest RAM for a run with these volumes: `baseRAMSize` plus every tmpfs at its size (a
    /// tmpfs keeps its files in guest RAM), at most 4 GiB. No larger: KVM sets up and tears down
    /// its bookkeeping for the whole RAM slot with every VM, and the page tables cover it (on
    /// kvm-pvm, 256 MiB instead of 64 cost a hello run 0.5 ms of its 6).
    public static func ramSize(for volumes: [Volume]) -> UInt64 {
        var size = baseRAMSize
        for volume in volumes {
            guard case .tmpfs(let tmpfsSize) = volume.backing else { continue }
            let (sum, overflow) = size.addingReportingOverflow(tmpfsSize)
            size = overflow ? MEWZ_LM_BASE : sum
        }
        let pageMask = MEWZ_PAGE_SIZE - 1
        return (min(size, MEWZ_LM_BASE) + pageMask) & ~pageMask
    }
    /// A multiple of 4 KiB.
    public var stackSize: UInt64 = 8 << 20
    /// The module's maximum memory in Wasm pages (65536 if it declares none); without a memory
    /// limit, linear memory may grow to this * 64 KiB rounded up to 2 MiB.
    public var linearMemoryMaxPages: UInt32
    /// The CPU features the image's code executes (its header's `requiredCPUFeatures`); the VM
    /// refuses to be created when the guest could not execute one of them.
    public var requiredCPUFeatures: CPUFeatures = []
    /// Whether run() sets no_new_privs and loads the seccomp allowlist (Confinement) before the
    /// first KVM_RUN. It applies to every thread and cannot be undone, so only a caller that runs
    /// VMs inside a process with other work to do (the in-process unit tests) turns it off.
    public var confinesMonitor = true
    /// Under kvm-pvm, whether the monitor registers the interrupt-flag page so the guest runs
    /// natively from its first instruction (PVMInterruptFlag). Off, the guest must register
    /// its own (the mewz guest does) or it stays emulated: tests turn it off to reach the
    /// exits an emulated vCPU makes of HLT and port 0x80, which kvm-pvm keeps to itself for
    /// a native one.
    public var registersPVMInterruptFlag = true
    /// Whether run() ends by printing start-up phase times to the guest's stderr (BootTrace).
    public var tracesBoot = BootTrace.requestedByEnvironment
    /// Listening TCP sockets to open before the guest runs and hand it preopened, as
    /// "HOST:PORT" ("0.0.0.0:8080", "[::]:8080"); at most MEWZ_LISTENERS_MAX (TCPListeners).
    public var listeners: [String] = []
    /// Whether the guest may open host sockets (sock_open). Off for a module that imports no
    /// sock_open (the OCI layer reads its imports): it then has no socket unless `listeners`
    /// hands it some, and without those the monitor's seccomp filter leaves out every socket
    /// call and no epoll instance is made.
    public var opensSockets = true
    /// Whether the guest can have host sockets at all: it may open them, or some are handed in.
    var hasSockets: Bool { opensSockets || !listeners.isEmpty }
    /// Whether run() ends by printing the VM exits it counted (ExitCounter).
    public var countsExits = ExitCounter.requestedByEnvironment
    /// Where run() writes a sampling profile of the guest (GuestProfile), or nil. Profiling
    /// runs the monitor without its seccomp filter, whatever `confinesMonitor` says.
    public var guestProfilePath = GuestProfile.requestedPath
    /// Whether a host thread serves the hypercall ring beside the vCPU (HypercallRing): calls
    /// that cannot wait then cost no VM exit. On when the monitor may run on two CPUs or more,
    /// unless MEWZ_HYPERCALL_RING=0 is in its environment.
    public var servesHypercallRing = HypercallRing.requestedByEnvironment
    /// How long the ring's server polls an idle slot before it sleeps. Longer keeps a server
    /// that shares its CPU with the vCPU listening across the scheduler's time slices (tests
    /// that insist on ring calls on a loaded host); shorter gives the CPU back sooner.
    public var ringIdlePollNanoseconds = HypercallRing.defaultSpinNanoseconds
    /// Host descriptors behind the guest's fds 0, 1 and 2.
    public var stdinFD: Int32 = 0
    public var stdoutFD: Int32 = 1
    public var stderrFD: Int32 = 2
    /// config.json mounts the guest sees (HostVolumes), at most Volume.maximumCount.
    public var volumes: [Volume] = []

    public init(arguments: [String], environment: [String], linearMemoryMaxPages: UInt32) {
        self.arguments = arguments
        self.environment = environment
        self.linearMemoryMaxPages = linearMemoryMaxPages
    }
}
