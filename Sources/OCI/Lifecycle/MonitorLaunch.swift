import CShim
import Glibc
import ImageBuilder
import Monitor

/// Forks the container process (the monitor) and waits until it has its VM ready.
///
/// Protocol on a CLOEXEC pipe: the child writes one byte 0 when ready, or byte 1 followed by its
/// one-line error. It then blocks opening exec.fifo for writing until `start` opens it for
/// reading, writes one byte, and runs the VM. The fifo is reached through an O_PATH fd taken
/// before fork, so the child waits on exactly the fifo its container was created with.
struct MonitorLaunch {
    let imagePath: String
    let process: Spec.Process
    let fifoPath: String
    /// fds 3 ..< 3+preservedFDs stay open in the child.
    let preservedFDs: Int32

    private static let ready: UInt8 = 0
    private static let failed: UInt8 = 1

    /// Returns the child's pid once it is ready. On failure no child is left.
    func spawn() throws(OCIError) -> Int32 {
        let fifoFD = cshim_open_path(fifoPath, 0)
        guard fifoFD >= 0 else { throw .system("open", fifoPath, errno: errno) }
        defer { close(fifoFD) }
        var pipeFDs: [Int32] = [-1, -1]
        guard cshim_pipe_cloexec(&pipeFDs) == 0 else { throw .system("pipe2", errno: errno) }

        let pid = fork()
        if pid == 0 {
            close(pipeFDs[0])
            runChild(readyFD: pipeFDs[1], fifoFD: fifoFD)
        }
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard pid > 0 else { throw .system("fork", errno: errno) }

        var first: UInt8 = 0
        let count = Syscall.retrying { read(pipeFDs[0], &first, 1) }
        if count == 1 && first == MonitorLaunch.ready { return pid }

        let message = count == 1 ? (try? FileIO.readAll(pipeFDs[0], path: "pipe", limit: 64 * 1024)) ?? [] : []
        _ = kill(pid, SIGKILL)
        let exit = (try? ProcessControl.wait(for: pid)) ?? .exited(-1)
        if count == 1 && first == MonitorLaunch.failed && !message.isEmpty {
            throw .monitor(String(decoding: message, as: UTF8.self))
        }
        throw .monitor("container process \(exit.description) before it was ready")
    }

    // MARK: The child (single-threaded; no Foundation)

    private func runChild(readyFD: Int32, fifoFD: Int32) -> Never {
        // Default dispositions, nothing blocked: neither the caller's ignored signals nor the
        // signals a foreground `run` blocks while it creates may leak into the container.
        _ = cshim_reset_signals()
        // Own session: terminal job-control signals reach the container only through the runtime.
        _ = setsid()
        var keep = (0..<3).map { Int32($0) } + (0..<preservedFDs).map { 3 + $0 } + [readyFD, fifoFD]
        keep = Array(Set(keep)).sorted()
        if keep.withUnsafeBufferPointer({ cshim_close_fds_except($0.baseAddress, Int32($0.count)) }) != 0 {
            reportFailure(readyFD, "close inherited fds: \(Syscall.describe(errno))")
        }
        _ = chdir("/")

        let image: MappedImage
        do {
            image = try MappedImage(path: imagePath)
        } catch {
            reportFailure(readyFD, "map image \(imagePath): \(error.description)")
        }
        let configuration = VMConfiguration(arguments: process.args, environment: process.env,
                                            linearMemoryMaxPages: image.header.memoryMaxPages)
        let machine: VirtualMachine
        do {
            machine = try VirtualMachine(elf: image.elf, configuration: configuration)
        } catch {
            reportFailure(readyFD, error.description)
        }
        var ready = MonitorLaunch.ready
        _ = Syscall.retrying { write(readyFD, &ready, 1) }
        close(readyFD)

        awaitStart(fifoFD: fifoFD)
        let termination = machine.run()
        withExtendedLifetime(image) {}
        if case .signaled(let signal) = termination {
            cshim_die_by_signal(signal)
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
