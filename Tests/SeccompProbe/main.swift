// seccomp-probe <guest ELF> <guest mode [arguments]> <after the run>
//
// Test-only executable for MonitorTests' seccomp test: it runs the probe guest in a real,
// confined VM (exactly as the container process does, through the public API) on its stdio,
// then does one thing from after-the-run: "exit" ends with the guest's status (or re-raises
// the signal that ended the run, as the container process does); every other action is a
// system call the allowlist forbids, which must kill the process with SIGSYS.
import CKVM
import Glibc
import Monitor

func fail(_ message: String) -> Never {
    let line = Array("seccomp-probe: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(125)
}

func readFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { fail("cannot open \(path)") }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { fail("cannot read \(path)") }
        if count == 0 { break }
        bytes += chunk[0..<count]
    }
    close(fd)
    return bytes
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else { fail("usage: seccomp-probe <guest ELF> <guest mode> <after the run>") }
let elf = readFile(arguments[1])
let action = arguments[3]
// Taken before the run: a descriptor the filter does not allow writes to.
let spareFD = dup(1)

// 256 MiB of linear memory at most: room for "lm-grow" to add slots.
var configuration = VMConfiguration(arguments: ["probe"] + arguments[2].split(separator: " ").map(String.init),
                                    environment: [], linearMemoryMaxPages: 4096)
configuration.requiredCPUFeatures = []
// The ring's server thread runs under the filter too, whatever the CPU count.
configuration.servesHypercallRing = true
// Long enough that a server sharing the vCPU's CPU on a loaded host still listens when the
// vCPU's time slice comes ("ring" insists on ring calls).
configuration.ringIdlePollNanoseconds = 200_000_000
// MEWZ_PROBE_NO_SOCKETS: a module that imports no sock_open, so the filter has no socket calls.
configuration.opensSockets = getenv("MEWZ_PROBE_NO_SOCKETS") == nil
// MEWZ_PROBE_VOLUME=<dir>: a host volume, so the filter holds the volume rules too.
// Opened before the run, as the monitor opens a volume's root.
var volumeFD: Int32 = -1
if let volume = getenv("MEWZ_PROBE_VOLUME").map({ String(cString: $0) }) {
    configuration.volumes = [Volume(destination: "/data", backing: .hostDirectory(source: volume), readOnly: false)]
    volumeFD = open(volume, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
}
let termination: Termination
do {
    termination = try elf.withUnsafeBytes { bytes throws(MonitorError) in
        try VirtualMachine(elf: bytes, configuration: configuration).run()
    }
} catch {
    fail("\(error)")
}

switch action {
case "exit":
    if case .signaled(let signal) = termination {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_DFL
        sigaction(signal, &action, nil)
        var only = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, signal)
        sigprocmask(SIG_UNBLOCK, &only, nil)
        kill(getpid(), signal)
    }
    exit(termination.exitStatus)
case "open":
    _ = open("/proc/self/status", O_RDONLY)
case "write-other-fd":
    var byte: UInt8 = 0x2a
    _ = write(spareFD, &byte, 1)
case "ioctl-stdout":
    var size = winsize()
    _ = ioctl(1, UInt(TIOCGWINSZ), &size)
case "read-other-fd":
    var byte: UInt8 = 0
    _ = read(spareFD, &byte, 1)
case "mmap-file":
    // Only anonymous memory: no file can be mapped in after set-up.
    _ = mmap(nil, 4096, PROT_READ, MAP_PRIVATE, spareFD, 0)
case "ioctl-stdin":
    // Only FIONREAD is allowed on stdin.
    var size = winsize()
    _ = ioctl(0, UInt(TIOCGWINSZ), &size)
case "ppoll-four":
    // MEWZ_HC_POLL's ppoll covers at most stdin, stdout and stderr.
    var descriptors = [pollfd](repeating: pollfd(fd: 0, events: Int16(POLLIN), revents: 0), count: 4)
    var zero = timespec()
    _ = ckvm_cancellable_syscall(CKVM_SYS_PPOLL, Int(bitPattern: UnsafeMutablePointer(&descriptors)), 4,
                                 Int(bitPattern: UnsafeMutablePointer(&zero)), 0, 0)
case "mmap-exec":
    _ = mmap(nil, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
case "socket":
    _ = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
case "socket-nonblocking":
    // The form the monitor's sock_open uses: allowed only when the guest can have sockets.
    _ = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
case "kill-other":
    _ = kill(1, 0)
case "volume-calls":
    // What MEWZ_HC_FS does on a volume: allowed when the probe has one (MEWZ_PROBE_VOLUME).
    let directory = ckvm_open_beneath(volumeFD, ".", UInt64(O_RDONLY | O_DIRECTORY), 0)
    var info = stat()
    guard fstat(directory, &info) == 0 else { fail("fstat: \(errno)") }
    let file = ckvm_open_beneath(directory, "f", UInt64(O_RDWR | O_CREAT), 0o644)
    var byte: UInt8 = 0x2a
    guard directory >= 0, file >= 0, write(file, &byte, 1) == 1, ckvm_start_writeback(file) == 0,
          fsync(file) == 0, fdatasync(file) == 0,
          ftruncate(file, 0) == 0, mkdirat(directory, "d", 0o755) == 0, renameat(directory, "d", directory, "e") == 0,
          unlinkat(directory, "e", AT_REMOVEDIR) == 0, unlinkat(directory, "f", 0) == 0,
          fcntl(file, F_SETFL, fcntl(file, F_GETFL) | O_APPEND) == 0
    else { fail("a volume call failed: \(errno)") }
    exit(0)
case "thread-start-calls":
    // What glibc's start-up of a new thread does, which may come after the filter (the ring's
    // server thread is not waited for): allowed, whatever they answer.
    // Bad lengths: each call is refused with EINVAL and changes nothing.
    let robustList = ckvm_cancellable_syscall(Int(SYS_set_robust_list), 0, 1, 0, 0, 0)
    guard robustList == -Int(EINVAL) else { fail("set_robust_list: \(robustList)") }
    let rseq = ckvm_cancellable_syscall(Int(SYS_rseq), 0, 1, 0, 0, 0)
    guard rseq == -Int(EINVAL) else { fail("rseq: \(rseq)") }
    exit(0)
case "linkat-follow":
    // Links are made by name only: never through AT_SYMLINK_FOLLOW.
    _ = linkat(Int32(AT_FDCWD), "/nonexistent-a", Int32(AT_FDCWD), "/nonexistent-b", AT_SYMLINK_FOLLOW)
case "fcntl-setfd":
    _ = fcntl(1, F_SETFD, FD_CLOEXEC)
case "sync-file-range-wait":
    // Write-behind starts writeback only (SYNC_FILE_RANGE_WRITE); waiting for it is refused.
    _ = ckvm_cancellable_syscall(Int(SYS_sync_file_range), 1, 0, 0, 7, 0)
default:
    fail("unknown action \(action)")
}
// Reached only if the filter let the forbidden call through.
fail("\(action) was allowed")
