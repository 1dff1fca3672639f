import CShim
import Glibc

/// Runs config.json hooks as runc does (runtime-spec config.md, oci-contract.md §1): in
/// order, each with the container's State JSON on stdin, its own args and env (the runtime's
/// environment when it has none), killed after `timeout` seconds. The first failure stops
/// the list; the error names the hook point and index and carries its output, like runc's.
struct HookRunner {
    /// The monotonic millisecond at which a hook of `seconds` times out: saturated, since
    /// config.json may give any positive Int64 (a century is as good as never).
    static func deadline(seconds: Int64, from now: Int64) -> Int64 {
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        let (sum, carry) = now.addingReportingOverflow(milliseconds)
        return overflow || carry ? Int64.max : sum
    }

    enum Point: String {
        case prestart, createRuntime, createContainer, startContainer, poststart, poststop

        /// createContainer and startContainer run in the container's namespaces: here, the
        /// monitor's network, IPC and UTS namespaces.
        var inContainerNamespaces: Bool { self == .createContainer || self == .startContainer }
    }

    /// The most of a hook's stdout and stderr each kept for the error message.
    static let outputLimit = 16 * 1024

    let point: Point
    /// The State JSON on every hook's stdin.
    let state: String
    /// The monitor, whose namespaces container-namespace hooks enter.
    var monitorPID: Int32? = nil

    func run(_ hooks: [Spec.Hook]) throws(OCIError) {
        guard !hooks.isEmpty else { return }
        let namespaceFDs = point.inContainerNamespaces ? try openNamespaces() : []
        defer { namespaceFDs.forEach { close($0) } }
        for (index, hook) in hooks.enumerated() {
            do {
                try runOne(hook, namespaceFDs: namespaceFDs)
            } catch {
                throw .hookFailed(point.rawValue, index: index, path: hook.path, cause: error.message)
            }
        }
    }

    private func openNamespaces() throws(OCIError) -> [Int32] {
        guard let pid = monitorPID else { return [] }
        var fds: [Int32] = []
        for name in ["net", "ipc", "uts"] {
            let path = "/proc/\(pid)/ns/\(name)"
            let fd = Syscall.retrying { open(path, O_RDONLY | O_CLOEXEC) }
            guard fd >= 0 else {
                let code = errno
                fds.forEach { close($0) }
                throw .system("open", path, errno: code)
            }
            fds.append(fd)
        }
        return fds
    }

    private func runOne(_ hook: Spec.Hook, namespaceFDs: [Int32]) throws(OCIError) {
        let input = cshim_memfd("hook-state")
        guard input >= 0 else { throw .system("memfd_create", errno: errno) }
        defer { close(input) }
        guard FileIO.writeAll(input, Array(state.utf8)) == 0, lseek(input, 0, SEEK_SET) == 0 else {
            throw .system("write hook state", errno: errno)
        }
        var output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1], failure: [Int32] = [-1, -1]
        guard cshim_pipe_cloexec(&output) == 0 else { throw .system("pipe2", errno: errno) }
        defer { [output[0], output[1]].forEach { if $0 >= 0 { close($0) } } }
        guard cshim_pipe_cloexec(&errors) == 0 else { throw .system("pipe2", errno: errno) }
        defer { [errors[0], errors[1]].forEach { if $0 >= 0 { close($0) } } }
        guard cshim_pipe_cloexec(&failure) == 0 else { throw .system("pipe2", errno: errno) }
        defer { [failure[0], failure[1]].forEach { if $0 >= 0 { close($0) } } }

        let argv = (hook.args.isEmpty ? [hook.path] : hook.args).map { strdup($0) } + [nil]
        let envp = hook.env.map { $0.map { strdup($0) } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        let pid: Int32 = namespaceFDs.withUnsafeBufferPointer { namespaces in
            if let envp {
                return cshim_spawn(hook.path, argv, envp, input, output[1], errors[1],
                                   namespaces.baseAddress, Int32(namespaces.count), failure[1])
            }
            return cshim_spawn(hook.path, argv, nil, input, output[1], errors[1],
                               namespaces.baseAddress, Int32(namespaces.count), failure[1])
        }
        guard pid > 0 else { throw .system("fork", errno: errno) }
        close(output[1]); output[1] = -1
        close(errors[1]); errors[1] = -1
        close(failure[1]); failure[1] = -1

        let deadline = hook.timeout.map { Self.deadline(seconds: $0, from: Syscall.monotonicMilliseconds()) }
        var collected = HookOutput(stdout: output[0], stderr: errors[0], limit: HookRunner.outputLimit)
        let finished = collected.drain(until: deadline, childPID: pid)
        if !finished {
            ProcessControl.killAndReap(pid)
            throw .hookTimedOut(seconds: hook.timeout ?? 0)
        }
        let exit = try ProcessControl.wait(for: pid)
        var code: Int32 = 0
        if Syscall.retrying({ read(failure[0], &code, MemoryLayout<Int32>.size) }) == MemoryLayout<Int32>.size {
            throw .hookExec(hook.path, errno: code)
        }
        guard exit == .exited(0) else {
            throw .hookExit(exit.goDescription, stdout: collected.stdoutText, stderr: collected.stderrText)
        }
    }
}

/// A hook's stdout and stderr, read until both reach EOF (or the hook exits and nothing more
/// is waiting, so a daemon it left holding them cannot hang the runtime).
struct HookOutput {
    let stdoutFD: Int32
    let stderrFD: Int32
    let limit: Int
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []

    init(stdout: Int32, stderr: Int32, limit: Int) {
        stdoutFD = stdout
        stderrFD = stderr
        self.limit = limit
    }

    var stdoutText: String { String(decoding: stdout, as: UTF8.self).trimmingTrailingNewline }
    var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingTrailingNewline }

    /// false when `deadline` (monotonic ms) passed first.
    mutating func drain(until deadline: Int64?, childPID: Int32) -> Bool {
        var open = [stdoutFD, stderrFD]
        while true {
            if open.isEmpty { return true }
            var timeout: Int32 = 50
            if let deadline {
                let left = deadline - Syscall.monotonicMilliseconds()
                if left <= 0 { return false }
                timeout = Int32(min(left, 50))
            }
            var pollers = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&pollers, nfds_t(pollers.count), timeout)
            if ready < 0 && errno != EINTR { return true }
            var closed: [Int32] = []
            for poller in pollers where poller.revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { buffer in
                    Syscall.retrying { read(poller.fd, buffer.baseAddress, buffer.count) }
                }
                if count <= 0 {
                    closed.append(poller.fd)
                } else if poller.fd == stdoutFD {
                    stdout += chunk[..<min(count, max(0, limit - stdout.count))]
                } else {
                    stderr += chunk[..<min(count, max(0, limit - stderr.count))]
                }
            }
            open.removeAll { closed.contains($0) }
            if ready == 0 && ProcessStat.read(pid: childPID)?.isDead ?? true { return true }
        }
    }
}
