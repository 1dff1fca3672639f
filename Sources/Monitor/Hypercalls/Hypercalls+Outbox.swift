import CMewzABI
import Glibc

extension Hypercalls {
    /// Sends the guest's outbox (abi.h, struct mewz_outbox), before every hypercall: first what
    /// earlier outboxes left held, then records [0, count) in order, each answered in place;
    /// then count is 0. Nothing to do while no socket is open (a record could only be EBADF).
    func sendOutbox() {
        guard sockets.count > 0 else { return }
        if !sockets.held.isEmpty { sockets.sendAllHeld() }
        guard let header = memory.object(mewz_outbox.self, at: MEWZ_OUTBOX_ADDR) else { return }
        let countOffset = MemoryLayout<mewz_outbox>.offset(of: \.count)!
        let count = min(header.load(fromByteOffset: countOffset, as: UInt32.self), UInt32(MEWZ_OUTBOX_RECORDS))
        guard count > 0 else { return }
        let recordsOffset = MemoryLayout<mewz_outbox>.offset(of: \.records)!
        let recordSize = MemoryLayout<mewz_outbox_record>.stride
        for index in 0..<Int(count) {
            let offset = recordsOffset + index * recordSize
            var record = header.loadUnaligned(fromByteOffset: offset, as: mewz_outbox_record.self)
            (record.error, record.held) = sendRecord(record)
            header.storeBytes(of: record, toByteOffset: offset, as: mewz_outbox_record.self)
        }
        header.storeBytes(of: UInt32(0), toByteOffset: countOffset, as: UInt32.self)
    }

    /// One record: its error and the bytes held for later.
    private func sendRecord(_ record: mewz_outbox_record) -> (error: UInt32, held: UInt32) {
        guard let socket = try? sockets.socket(record.handle), socket.isStream else {
            return (WASIErrno.badDescriptor, 0)
        }
        guard record.len > 0 else { return (WASIErrno.success, 0) }
        guard let bytes = memory.slice(record.addr, UInt64(record.len)) else { return (WASIErrno.fault, 0) }
        // What a record leaves unsent is copied and kept: no more than the ABI's cap, whatever
        // the guest asks (the guest's own records are at most 16 KiB, sock_outbox.c).
        guard bytes.count <= Int(MEWZ_OUTBOX_HELD_MAX) else { return (WASIErrno.noBuffers, 0) }
        if let entry = sockets.held[record.handle] {
            // Behind bytes still held, or on a socket whose held bytes failed.
            if entry.error != 0 { return (entry.error, 0) }
            guard entry.count + bytes.count <= Int(MEWZ_OUTBOX_HELD_MAX) else { return (WASIErrno.noBuffers, 0) }
            entry.append(UnsafeRawBufferPointer(bytes))
            return (WASIErrno.success, UInt32(entry.count))
        }
        var sent = 0
        while sent < bytes.count {
            let result = Syscall.sendOnce(socket.fd, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[sent...]))
            if result > 0 {
                sent += result
            } else if result < 0, errno == EINTR {
                continue
            } else if result < 0, errno != EAGAIN, errno != EWOULDBLOCK {
                return (WASIErrno.from(Errno.current), 0)
            } else {
                break
            }
        }
        guard sent < bytes.count else { return (WASIErrno.success, 0) }
        let rest = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[sent...])
        sockets.hold(rest, for: record.handle)
        return (WASIErrno.success, UInt32(rest.count))
    }
}
