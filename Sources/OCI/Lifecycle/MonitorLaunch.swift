import CShim
import Glibc
import ImageBuilder
import Monitor

/// Forks the container process (the monitor) and waits until it has its VM ready.
///
/// Before it opens /dev/kvm the child enters the container's namespaces (network first,
/// NamespacePlan) and its cgroup, so the sockets it opens live in the container's network
/// and the memory the VM touches is charged to the container. With a terminal, the pty slave
/// becomes its controlling terminal and its stdio.
///
/// Two CLOEXEC pipes. On the ready pipe the child writes one byte 0 when ready, or byte 1
/// followed by its one-line error. It then waits on the commit pipe: `create` writes one byte
/// once state.json and the pid file exist; EOF instead (create failed, or was killed) makes
/// the child exit, so no container process outlives a create that did not finish. Then the
/// child blocks opening exec.fifo for writing until `start` opens it for reading, writes one
/// byte, and runs the VM. The fifo is reached through an O_PATH fd taken before fork, so the
/// child waits on exactly the fifo its container was created with.
struct MonitorLaunch {
    /// Open image files: the first holds the ELF; the ROFS is the last one's (the same file for
    /// a prebuilt image). The child maps them from these fds.
    let images: [ImageFile]
    let process: Spec.Process
    /// exec.fifo to wait on for `start`; nil: run as soon as `create` commits (`run`).
    let fifoPath: String?
    /// fds 3 ..< 3+preservedFDs stay open in the child (LISTEN_FDS, then --preserve-fds).
    let preservedFDs: Int32
    /// config.json linux.resources.memory.limit; -1, 0 or nil: no limit (as runc).
    var memoryLimit: Int64? = nil
    var namespaces = NamespacePlan([])
    /// The container's cgroup: the v2 directory the child is forked into, the v1 files it
    /// writes "0" into (CgroupJoin).
    var cgroupJoin = CgroupJoin.none
    /// The pty slave that becomes the child's stdio (process.terminal), and its size.
    var terminalSlave: Int32? = nil
    var consoleSize: Spec.ConsoleSize? = nil
    /// config.json mounts the guest sees (VolumePlan); the child opens the host directories.
    var volumes: [Volume] = []
    /// Whether the module imports sock_open (VMConfiguration.opensSockets).
    var opensSockets = true

    private static let ready: UInt8 = 0
    private static let failed: UInt8 = 1

    /// The forked child: `awaitReady()` until it has its VM, then `commit()`. Dropping it
    /// uncommitted makes the child exit.
    final class Launched {
        let pid: Int32
        private var readyFD: Int32
        private var commitFD: Int32

        fileprivate init(pid: Int32, readyFD: Int32, commitFD: Int32) {
            self.pid = pid
            self.readyFD = readyFD
            self.commitFD = commitFD
        }

        /// Returns once the child has its VM; throws its one-line error, or how it ended, after
        /// killing and reaping it. Called once.
        func awaitReady() throws(OCIError) {
            defer {
                close(readyFD)
                readyFD = -1
            }
            var first: UInt8 = 0
            let count = Syscall.retrying { read(readyFD, &first, 1) }
            if count == 1 && first == MonitorLaunch.ready { return }

            let message = count == 1 ? (try? FileIO.readAll(readyFD, path: "pipe", limit: 64 * 1024)) ?? [] : []
            _ = kill(pid, SIGKILL)
            let exit = (try? ProcessControl.wait(for: pid)) ?? .exited(-1)
            if count == 1 && first == MonitorLaunch.failed && !message.isEmpty {
                throw .monitor(String(decoding: message, as: UTF8.self))
            }
            throw .monitor("container process \(exit.description) before it was ready")
        }

        /// Lets the child go on to wait for `start`.
        func commit() throws(OCIError) {
            var byte: UInt8 = 1
            let written = Syscall.retrying { write(commitFD, &byte, 1) }
            guard written == 1 else { throw .system("release container process", errno: errno) }
            close(commitFD)
            commitFD = -1
        }

        deinit {
            if readyFD >= 0 { close(readyFD) }
            if commitFD >= 0 { close(commitFD) }
        }
    }

    /// Forks the child, which then builds its VM while the caller goes on (it records the
    /// container's state meanwhile) until `awaitReady()`. On failure no child is left.
    func spawn() throws(OCIError) -> Launched {
        var fifoFD: Int32 = -1
        if let fifoPath {
            fifoFD = cshim_open_path(fifoPath, 0)
            guard fifoFD >= 0 else { throw .system("open", fifoPath, errno: errno) }
        }
        defer { if fifoFD >= 0 { close(fifoFD) } }
        var readyPipe: [Int32] = [-1, -1]
        guard cshim_pipe_cloexec(&readyPipe) == 0 else { throw .system("pipe2", errno: errno) }
        var commitPipe: [Int32] = [-1, -1]
        guard cshim_pipe_cloexec(&commitPipe) == 0 else {
            let code = errno
            close(readyPipe[0])
            close(readyPipe[1])
            throw .system("pipe2", errno: code)
        }

        StartupTrace.mark("runtime-fork-setup")
        let (pid, forkedIntoUnified) = forkChild()
        if pid == 0 {
            close(readyPipe[0])
            close(commitPipe[1])
            runChild(readyFD: readyPipe[1], commitFD: commitPipe[0], fifoFD: fifoFD,
                     cgroupFiles: cgroupJoin.filesToWrite(forkedIntoUnified: forkedIntoUnified))
        }
        close(readyPipe[1])
        close(commitPipe[0])
        guard pid > 0 else {
            let code = errno
            close(readyPipe[0])
            close(commitPipe[1])
            throw .system("fork", errno: code)
        }
        return Launched(pid: pid, readyFD: readyPipe[0], commitFD: commitPipe[1])
    }

    /// fork(), straight into the v2 cgroup directory when there is one (CgroupJoin). If that
    /// cannot be done (no clone3, the directory will not open, the kernel refuses), a plain
    /// fork, and the child joins by writing cgroup.procs, which reports any real error.
    private func forkChild() -> (pid: Int32, forkedIntoUnified: Bool) {
        if let directory = cgroupJoin.unifiedDirectory {
            let directoryFD = Syscall.retrying { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            if directoryFD >= 0 {
                let pid = cshim_fork_into_cgroup(directoryFD, RuntimeThreads.unjoined == 0 ? 1 : 0)
                if pid != 0 { close(directoryFD) }
                if pid >= 0 { return (pid, true) }
            }
        }
        return (fork(), false)
    }

    // MARK: The child (single-threaded; no Foundation)

    private func runChild(readyFD: Int32, commitFD: Int32, fifoFD: Int32, cgroupFiles: [String]) -> Never {
        // Default dispositions, nothing blocked: neither the caller's ignored signals nor the
        // signals a foreground `run` blocks while it creates may leak into the container.
        StartupTrace.restartInChild()
        StartupTrace.mark("launch-fork")
        _ = cshim_reset_signals()
        // Own session: terminal job-control signals reach the container only through the runtime.
        _ = setsid()
        if let slave = terminalSlave {
            if let size = consoleSize, cshim_set_window_size(slave, size.height, size.width) != 0 {
                reportFailure(readyFD, "set the console size: \(Syscall.describe(errno))")
            }
            guard cshim_set_controlling_terminal(slave) == 0,
                  dup2(slave, 0) == 0, dup2(slave, 1) == 1, dup2(slave, 2) == 2 else {
                reportFailure(readyFD, "make the pty the container's stdio: \(Syscall.describe(errno))")
            }
        }
        var keep = (0..<3).map { Int32($0) } + (0..<preservedFDs).map { 3 + $0 } + [readyFD, commitFD]
            + images.map(\.fd)
        if fifoFD >= 0 { keep.append(fifoFD) }
        keep = Array(Set(keep)).sorted()
        if keep.withUnsafeBufferPointer({ cshim_close_fds_except($0.baseAddress, Int32($0.count)) }) != 0 {
            reportFailure(readyFD, "close inherited fds: \(Syscall.describe(errno))")
        }
        if let failure = MonitorPlacement.enter(namespaces) { reportFailure(readyFD, failure) }
        if let failure = MonitorPlacement.join(cgroupFiles) { reportFailure(readyFD, failure) }
        _ = chdir("/")
        StartupTrace.mark("launch-place")

        var mapped: [MappedImage] = []
        for file in images {
            do {
                mapped.append(try MappedImage(file: file))
            } catch {
                reportFailure(readyFD, "map image \(file.path): \(error.description)")
            }
        }
        guard let image = mapped.first, image.header.hasELF else {
            reportFailure(readyFD, "map image \(images.first?.path ?? "(none)"): image has no elf section")
        }
        let filesystem = mapped.last { $0.header.hasROFS }
        var configuration = VMConfiguration(arguments: process.args, environment: process.env,
                                            linearMemoryMaxPages: image.header.memoryMaxPages)
        configuration.workingDirectory = process.cwd
        configuration.volumes = volumes
        configuration.ramSize = VMConfiguration.ramSize(for: volumes)
        // Listening sockets handed in preopened: MEWZ_TCPLISTEN=HOST:PORT[,HOST:PORT...].
        configuration.listeners = process.env.last { $0.hasPrefix("MEWZ_TCPLISTEN=") }
            .map { $0.dropFirst("MEWZ_TCPLISTEN=".count).split(separator: ",").map(String.init) } ?? []
        configuration.opensSockets = opensSockets
        configuration.requiredCPUFeatures = image.header.requiredCPUFeatures
        configuration.linearMemoryMinPages = image.header.memoryMinPages
        if let limit = memoryLimit, limit > 0 { configuration.memoryLimit = UInt64(limit) }
        StartupTrace.mark("launch-map")
        StartupTrace.report()
        let machine: VirtualMachine
        do {
            let guestImage = GuestImage(elf: image.elf, elfFile: .init(fd: image.file.fd, offset: image.header.elf.offset),
                                        rofs: filesystem?.rofsPages)
            machine = try VirtualMachine(image: guestImage, configuration: configuration)
        } catch {
            reportFailure(readyFD, error.description)
        }
        // The segments and the ROFS are mapped: the files need no descriptor any more.
        for file in images { file.closeDescriptor() }
        var ready = MonitorLaunch.ready
        _ = Syscall.retrying { write(readyFD, &ready, 1) }
        close(readyFD)
        // While the runtime commits the container (its state first): the ring's thread and the
        // rest of run()'s set-up that needs no clock.
        machine.prepareToRun()

        var committed: UInt8 = 0
        guard Syscall.retrying({ read(commitFD, &committed, 1) }) == 1 else { _exit(1) }
        close(commitFD)
        if fifoFD >= 0 { awaitStart(fifoFD: fifoFD) }
        let termination = machine.run()
        withExtendedLifetime(mapped) {}
        switch termination {
        case .signaled(let signal):
            cshim_die_by_signal(signal)
        case .failed(let message):
            _ = FileIO.writeAll(2, Array("mewz-runtime: \(message)\n".utf8))
        case .exited, .trapped:
            break
        }
        exit(termination.exitStatus)
    }

    /// Blocks until `start` opens the fifo for reading, then hands it the byte it waits for.
    private func awaitStart(fifoFD: Int32) {
        let fifo = Syscall.retrying { open("/proc/self/fd/\(fifoFD)", O_WRONLY | O_CLOEXEC) }
        guard fifo >= 0 else { _exit(1) }
        var byte = UInt8(ascii: "0")
        guard Syscall.retrying({ write(fifo, &byte, 1) }) == 1 else { _exit(1) }
        close(fifo)
        close(fifoFD)
    }

    private func reportFailure(_ readyFD: Int32, _ message: String) -> Never {
        let line = message.split(separator: "\n").first.map(String.init) ?? "unknown error"
        _ = FileIO.writeAll(readyFD, [MonitorLaunch.failed] + Array(line.utf8))
        _exit(1)
    }
}
