#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One run of clang or ld.lld.
struct ToolInvocation {
    var executable: String
    /// argv[1...].
    var arguments: [String]
    /// How an error names this run, e.g. "clang (module_0.c)".
    var label: String
}

/// Runs tools with posix_spawn (Foundation's Process is slow to start and
/// brings threads), several at a time, each child's stdout and stderr going
/// into a pipe that is drained while it runs (a chatty compiler must not
/// block on a full pipe) and kept for the error message. A child's end of
/// file tells which one finished, without waiting for children that are not
/// ours.
enum ToolRunner {
    /// Bytes of a tool's output kept for an error message.
    static let keptOutput = 16 * 1024

    private final class Child {
        let invocation: ToolInvocation
        let pid: pid_t
        let output: Int32
        var captured: [UInt8] = []
        init(invocation: ToolInvocation, pid: pid_t, output: Int32) {
            self.invocation = invocation
            self.pid = pid
            self.output = output
        }
    }

    /// Runs every invocation, at most `concurrency` at once. On the first
    /// failure, starts no more and kills the ones still running.
    static func run(_ invocations: [ToolInvocation], concurrency: Int, environment: [String: String])
        throws(ImageBuildError)
    {
        let environmentStrings = CStringArray(environment.map { "\($0.key)=\($0.value)" })
        var pending = invocations[...]
        var running: [Child] = []
        var failure: ImageBuildError?

        while true {
            while failure == nil, running.count < max(concurrency, 1), let next = pending.popFirst() {
                do {
                    running.append(try spawn(next, environment: environmentStrings))
                } catch {
                    failure = error
                }
            }
            if running.isEmpty { break }
            if failure != nil {
                for child in running { kill(child.pid, SIGKILL) }
            }

            var descriptors = running.map { pollfd(fd: $0.output, events: Int16(POLLIN), revents: 0) }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                if errno != EINTR {
                    failure = failure ?? .io("poll", "tool output", errno: errno)
                    for child in running {
                        kill(child.pid, SIGKILL)
                        close(child.output)
                        _ = reap(child.pid)
                    }
                    running.removeAll()
                }
                continue
            }
            for index in descriptors.indices.reversed() where descriptors[index].revents != 0 {
                let child = running[index]
                guard drain(child) else { continue }
                close(child.output)
                running.remove(at: index)
                if let problem = reap(child.pid), failure == nil {
                    failure = .toolFailed(
                        child.invocation.label, status: problem, stderr: String(decoding: child.captured, as: UTF8.self))
                }
            }
        }
        if let failure { throw failure }
    }

    private static func spawn(_ invocation: ToolInvocation, environment: CStringArray) throws(ImageBuildError) -> Child {
        // A socket pair serves as the pipe: it can be created close-on-exec
        // atomically (pipe2 is a GNU extension Swift's Glibc lacks), so no
        // tool started by another thread inherits the write end and holds
        // back our end of file.
        var ends: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else {
            throw .io("create a pipe for", invocation.executable, errno: errno)
        }
        let (readEnd, writeEnd) = (ends[0], ends[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)

        // The caller (the monitor, a test runner) may block or catch
        // signals; the tools get a clean slate.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = CStringArray([invocation.executable] + invocation.arguments)
        var pid = pid_t()
        let result = posix_spawn(&pid, invocation.executable, &actions, &attributes, arguments.pointers, environment.pointers)
        close(writeEnd)
        guard result == 0 else {
            close(readEnd)
            throw .toolNotRunnable(invocation.executable, errno: result)
        }
        return Child(invocation: invocation, pid: pid, output: readEnd)
    }

    /// Reads what is available; true at end of file (the child closed its
    /// output, i.e. it is exiting).
    private static func drain(_ child: Child) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = buffer.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
        if count < 0 { return errno != EINTR && errno != EAGAIN }
        if count == 0 { return true }
        let room = keptOutput - child.captured.count
        if room > 0 { child.captured += buffer.prefix(min(room, count)) }
        return false
    }

    /// Waits for the child; nil when it exited with status 0, else what
    /// happened to it.
    private static func reap(_ pid: pid_t) -> String? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return "exit status unknown: \(ImageBuildError.errorText(errno))" }
        }
        let signal = status & 0x7F
        if signal == 0 {
            let code = (status >> 8) & 0xFF
            return code == 0 ? nil : "exit status \(code)"
        }
        return "killed by signal \(signal)"
    }
}

/// A NULL-terminated array of C strings (argv, envp) that frees itself.
final class CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }
}
