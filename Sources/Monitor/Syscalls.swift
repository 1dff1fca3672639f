import CKVM
import Glibc

/// The errno of a failed system call.
struct Errno: Error, Equatable, CustomStringConvertible {
    let code: Int32

    static var current: Errno { Errno(code: errno) }

    var description: String { String(cString: strerror(code)) }
}

/// Every raw system call the monitor makes, each returning its errno as a typed error.
///
/// EINTR is retried here, in one place, except when a termination signal is pending:
/// then the call fails with EINTR so a blocked write cannot hold SIGTERM off.
enum Syscall {
    /// Runs `body` (which returns -1 and sets errno on failure) until it does not fail with EINTR.
    static func retrying<T: FixedWidthInteger>(_ body: () -> T) throws(Errno) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let failure = Errno.current
            if failure.code != EINTR || terminationPending { throw failure }
        }
    }

    /// Whether SIGTERM, SIGINT or SIGHUP arrived during the run: loops that would call a
    /// blocking system call again stop instead.
    static var terminationPending: Bool { ckvm_signals_pending() != 0 }

    static func open(_ path: String, _ flags: Int32) throws(Errno) -> Int32 {
        try retrying { Glibc.open(path, flags) }
    }

    static func close(_ fd: Int32) {
        // Linux always releases the descriptor, even when close reports EINTR: never retry.
        _ = Glibc.close(fd)
    }

    static func ioctl(_ fd: Int32, _ request: UInt, _ argument: UInt = 0) throws(Errno) -> Int32 {
        try retrying { ckvm_ioctl_int(fd, request, argument) }
    }

    static func ioctl(_ fd: Int32, _ request: UInt, _ pointer: UnsafeMutableRawPointer) throws(Errno) -> Int32 {
        try retrying { ckvm_ioctl_ptr(fd, request, pointer) }
    }

    /// KVM_RUN, not retried: EINTR is how a signal reaches the vCPU loop.
    static func ioctlOnce(_ fd: Int32, _ request: UInt) throws(Errno) -> Int32 {
        let result = ckvm_ioctl_int(fd, request, 0)
        if result == -1 { throw Errno.current }
        return result
    }

    static func mmap(length: Int, protection: Int32, flags: Int32, fd: Int32 = -1) throws(Errno) -> UnsafeMutableRawPointer {
        let address = Glibc.mmap(nil, length, protection, flags, fd, 0)
        guard let address, address != MAP_FAILED else { throw Errno.current }
        return address
    }

    static func munmap(_ address: UnsafeMutableRawPointer, length: Int) {
        _ = Glibc.munmap(address, length)
    }

    /// Like `retrying`, for a call made through ckvm_cancellable_syscall (which returns -errno):
    /// a termination signal that arrives just before the call blocks still ends it.
    static func cancellable(_ body: () -> Int) throws(Errno) -> Int {
        while true {
            let result = body()
            if result >= 0 { return result }
            let failure = Errno(code: Int32(truncatingIfNeeded: -result))
            if failure.code != EINTR || terminationPending { throw failure }
        }
    }

    /// At most IOV_MAX (1024) vectors: the hypercalls cap their counts at MEWZ_HC_IOV_MAX.
    static func writev(_ fd: Int32, _ vectors: ArraySlice<iovec>) throws(Errno) -> Int {
        try cancellable {
            vectors.withUnsafeBufferPointer {
                ckvm_cancellable_syscall(CKVM_SYS_WRITEV, Int(fd), Int(bitPattern: $0.baseAddress), $0.count, 0, 0)
            }
        }
    }

    static func readv(_ fd: Int32, _ vectors: [iovec]) throws(Errno) -> Int {
        try cancellable {
            vectors.withUnsafeBufferPointer {
                ckvm_cancellable_syscall(CKVM_SYS_READV, Int(fd), Int(bitPattern: $0.baseAddress), $0.count, 0, 0)
            }
        }
    }

    /// ppoll until one descriptor is ready or `deadline` (CLOCK_MONOTONIC nanoseconds; nil: none)
    /// passes; returns the number of ready entries (0: the deadline passed). No signal mask:
    /// termination signals cancel it (ckvm_cancellable_syscall), and others have no handler.
    static func poll(_ descriptors: inout [pollfd], until deadline: UInt64?) throws(Errno) -> Int {
        while true {
            var remaining = timespec()
            if let deadline {
                let now = clockNanoseconds(CLOCK_MONOTONIC)
                let left = deadline > now ? deadline - now : 0
                remaining = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
            }
            let result: Int = descriptors.withUnsafeMutableBufferPointer { entries in
                withUnsafeMutablePointer(to: &remaining) { timeout in
                    ckvm_cancellable_syscall(
                        CKVM_SYS_PPOLL, Int(bitPattern: entries.baseAddress), entries.count,
                        deadline == nil ? 0 : Int(bitPattern: timeout), 0, 0)
                }
            }
            if result >= 0 { return result }
            let failure = Errno(code: Int32(truncatingIfNeeded: -result))
            // Another signal (a stop and continue): wait for what is left.
            if failure.code != EINTR || terminationPending { throw failure }
        }
    }

    /// Waits until `fd` is ready for `events` (a descriptor opened O_NONBLOCK by the caller's caller).
    static func waitUntilReady(_ fd: Int32, for events: Int16) throws(Errno) {
        var descriptor = [pollfd(fd: fd, events: events, revents: 0)]
        _ = try poll(&descriptor, until: nil)
    }

    /// The bytes ready to read on `fd` (FIONREAD), or nil when the descriptor cannot tell.
    static func bytesReadable(_ fd: Int32) -> UInt64? {
        var count: Int32 = 0
        guard ckvm_ioctl_ptr(fd, UInt(FIONREAD), &count) == 0, count >= 0 else { return nil }
        return UInt64(count)
    }

    static func getrandom(_ buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retrying { ckvm_getrandom(buffer.baseAddress, buffer.count) }
    }

    /// One sendmsg of `bytes` on a socket (MSG_NOSIGNAL: a gone peer is EPIPE, not a signal):
    /// the bytes sent, or -1 with errno set. The sockets are non-blocking: a full one is EAGAIN.
    static func sendOnce(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        withOneVector(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) {
            sendmsg(fd, &$0, Int32(MSG_NOSIGNAL))
        }
    }

    /// One recvmsg into `buffer` (recvmsg: the one receive call the seccomp filter allows): the
    /// bytes received, 0 at end of stream, or -1 with errno set.
    static func receiveOnce(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        withOneVector(buffer.baseAddress, buffer.count) { recvmsg(fd, &$0, 0) }
    }

    /// A msghdr with one iovec over `count` bytes at `base` and no name, for `body`.
    private static func withOneVector(_ base: UnsafeMutableRawPointer?, _ count: Int,
                                      _ body: (inout msghdr) -> Int) -> Int {
        var vector = iovec(iov_base: base, iov_len: count)
        return withUnsafeMutablePointer(to: &vector) { vectorPointer in
            var message = msghdr()
            message.msg_iov = vectorPointer
            message.msg_iovlen = 1
            return body(&message)
        }
    }

    /// Writes all of `bytes`, or stops at the first error.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            offset += try retrying {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            }
        }
    }

    static func clockNanoseconds(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return 0 }
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
