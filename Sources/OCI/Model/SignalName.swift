import Glibc

/// `kill`'s SIGNAL argument: a number, or a name with or without "SIG" in any case (KILL, sigterm),
/// including RTMIN+n / RTMAX-n.
public enum SignalName {
    static let names: [(String, Int32)] = [
        ("ABRT", SIGABRT), ("ALRM", SIGALRM), ("BUS", SIGBUS), ("CHLD", SIGCHLD), ("CLD", SIGCHLD),
        ("CONT", SIGCONT), ("FPE", SIGFPE), ("HUP", SIGHUP), ("ILL", SIGILL), ("INT", SIGINT),
        ("IO", SIGIO), ("IOT", SIGIOT), ("KILL", SIGKILL), ("PIPE", SIGPIPE), ("POLL", SIGPOLL),
        ("PROF", SIGPROF), ("PWR", SIGPWR), ("QUIT", SIGQUIT), ("SEGV", SIGSEGV),
        ("STKFLT", SIGSTKFLT), ("STOP", SIGSTOP), ("SYS", SIGSYS), ("TERM", SIGTERM), ("TRAP", SIGTRAP),
        ("TSTP", SIGTSTP), ("TTIN", SIGTTIN), ("TTOU", SIGTTOU), ("URG", SIGURG), ("USR1", SIGUSR1),
        ("USR2", SIGUSR2), ("VTALRM", SIGVTALRM), ("WINCH", SIGWINCH), ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ),
    ]

    /// Linux's real-time range as glibc reports it to applications (34...64).
    static let realTimeMinimum: Int32 = 34
    static let realTimeMaximum: Int32 = 64

    /// Go's signal names (syscall.Signal.String) for the common ones, "signal N" otherwise.
    static func goName(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: return "hangup"
        case SIGINT: return "interrupt"
        case SIGQUIT: return "quit"
        case SIGABRT: return "aborted"
        case SIGKILL: return "killed"
        case SIGSEGV: return "segmentation fault"
        case SIGPIPE: return "broken pipe"
        case SIGALRM: return "alarm clock"
        case SIGTERM: return "terminated"
        default: return "signal \(signal)"
        }
    }

    public static func parse(_ text: String) throws(OCIError) -> Int32 {
        if let number = Int32(text) {
            guard number > 0 && number <= realTimeMaximum else { throw .unknownSignal(text) }
            return number
        }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if let match = names.first(where: { $0.0 == name }) { return match.1 }
        if let signal = realTime(name) { return signal }
        throw .unknownSignal(text)
    }

    private static func realTime(_ name: String) -> Int32? {
        if name == "RTMIN" { return realTimeMinimum }
        if name == "RTMAX" { return realTimeMaximum }
        // (Offsets compared with the range, not added first: "RTMIN+2147483647" must not overflow.)
        if name.hasPrefix("RTMIN+"), let offset = Int32(name.dropFirst(6)), offset >= 0,
           offset <= realTimeMaximum - realTimeMinimum {
            return realTimeMinimum + offset
        }
        if name.hasPrefix("RTMAX-"), let offset = Int32(name.dropFirst(6)), offset >= 0,
           offset <= realTimeMaximum - realTimeMinimum {
            return realTimeMaximum - offset
        }
        return nil
    }
}
