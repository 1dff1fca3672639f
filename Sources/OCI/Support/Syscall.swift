import Glibc

/// The one place where EINTR is retried and errno becomes text.
enum Syscall {
    /// Runs `call` until it does not fail with EINTR; returns its result (errno set on -1).
    @inline(__always)
    static func retrying<T: FixedWidthInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    static func monotonicMilliseconds() -> Int64 {
        Int64(monotonicNanoseconds() / 1_000_000)
    }

    /// strerror with a lower-case first letter: Go's wording ("no such file or directory").
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        var message = String(cString: text)
        if let first = message.first, first.isUppercase, message.dropFirst().first?.isLowercase ?? true {
            var lowered = first.lowercased()
            lowered.append(contentsOf: message.dropFirst())  // String + Substring would call generic code
            message = lowered
        }
        return message
    }
}
