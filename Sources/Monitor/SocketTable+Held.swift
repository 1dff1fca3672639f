import CMewzABI
import Glibc

/// Bytes of the guest's outbox (abi.h, struct mewz_outbox) that a stream socket's host buffer
/// could not take when the outbox was sent: the monitor sends them as the socket drains, before
/// anything the guest sends on it later. At most MEWZ_OUTBOX_HELD_MAX per socket.
final class HeldBytes {
    private var bytes: [UInt8] = []
    private var start = 0
    /// The WASI errno a send of them failed with (they are dropped); the socket's next send
    /// reports it.
    var error: UInt32 = 0
    /// The guest shut the socket down for writing, or closed it: done once they are sent.
    var shutdownWhenSent: Int32? = nil
    var closeWhenSent = false

    var count: Int { bytes.count - start }
    var isEmpty: Bool { count == 0 }

    func append(_ more: UnsafeRawBufferPointer) {
        if start > 0, start == bytes.count { (bytes, start) = ([], 0) }
        bytes.append(contentsOf: more)
    }

    /// One non-blocking sendmsg of what is held; the bytes sent, 0 when the socket is full,
    /// or nil with errno set.
    func sendSome(on fd: Int32) -> Int? {
        let result = bytes.withUnsafeBytes { Syscall.sendOnce(fd, UnsafeRawBufferPointer(rebasing: $0[start...])) }
        if result >= 0 {
            start += result
            if start == bytes.count { (bytes, start) = ([], 0) }
            return result
        }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : nil
    }
}

extension SocketTable {
    /// Starts holding `bytes` for `handle` (the part of an outbox record the host did not take).
    func hold(_ bytes: UnsafeRawBufferPointer, for handle: UInt32) {
        let entry = held[handle] ?? HeldBytes()
        entry.append(bytes)
        held[handle] = entry
    }

    /// Sends what `handle` holds as far as its host socket takes it; true when nothing is held
    /// any more (sent, or dropped on an error, which then waits for the guest's next send). A
    /// socket the guest closed or shut down is closed or shut down once its bytes are gone.
    @discardableResult
    func sendHeld(_ handle: UInt32) -> Bool {
        guard let entry = held[handle] else { return true }
        guard let socket = anySocket(handle) else {
            held[handle] = nil
            return true
        }
        while !entry.isEmpty {
            guard let sent = entry.sendSome(on: socket.fd) else {
                entry.error = WASIErrno.from(Errno.current)
                break
            }
            if sent == 0 { return false }
        }
        if entry.closeWhenSent {
            close(handle)
        } else if entry.error == 0 {
            if let how = entry.shutdownWhenSent { _ = Glibc.shutdown(socket.fd, how) }
            held[handle] = nil
        }
        return true
    }

    /// sendHeld for every socket that holds bytes.
    func sendAllHeld() {
        for (handle, entry) in held where !entry.isEmpty { sendHeld(handle) }
    }

    /// Sends what every socket holds, waiting for their peers up to `nanoseconds` in all
    /// (the guest is ending: nothing later would send them).
    func sendHeld(within nanoseconds: UInt64) {
        guard !held.isEmpty else { return }
        let deadline = Syscall.clockNanoseconds(CLOCK_MONOTONIC) + nanoseconds
        for handle in handlesHoldingBytes {
            while !sendHeld(handle), let socket = anySocket(handle) {
                let now = Syscall.clockNanoseconds(CLOCK_MONOTONIC)
                guard now < deadline else { return }
                do throws(GuestErrno) {
                    try Hypercalls.wait(socket.fd, for: Int16(POLLOUT), timeout: deadline - now)
                } catch {
                    if error.code != WASIErrno.again { break }
                }
            }
        }
    }

    /// The error a held send failed with, reported once (the socket's next send, or SO_ERROR).
    func takeHeldError(_ handle: UInt32) -> UInt32 {
        guard let entry = held[handle], entry.error != 0 else { return 0 }
        let error = entry.error
        held[handle] = nil
        return error
    }

    /// Handles whose bytes are still held, for the poll to wait until their sockets drain.
    var handlesHoldingBytes: [UInt32] {
        held.compactMap { $0.value.isEmpty ? nil : $0.key }
    }
}
