import CMewzABI
import Glibc

extension Hypercalls {
    /// MEWZ_HC_POLL_RECV: MEWZ_HC_POLL, then a receive into the stage of every readable stream
    /// socket that has one, in the same exit (abi.h).
    func pollAndReceive(_ address: UInt64) -> Action {
        guard let bytes = memory.object(mewz_hc_poll_recv.self, at: address) else {
            return .fail("hypercall poll-recv: argument at 0x\(hex(address)) is misaligned or outside guest memory")
        }
        let call = bytes.loadUnaligned(as: mewz_hc_poll_recv.self)
        let entrySize = UInt64(MemoryLayout<mewz_hc_poll_fd>.stride)
        let stageSize = UInt64(MemoryLayout<mewz_hc_stage>.stride)
        // The entries with a stage: their readable count is the stage's (no FIONREAD).
        var staged: [Bool]? = nil
        if let asked = memory.object(mewz_hc_poll.self, at: call.poll_addr)?.loadUnaligned(as: mewz_hc_poll.self),
           asked.nfds <= UInt32(MEWZ_HC_POLL_MAX),
           let stages = memory.slice(call.stages_addr, UInt64(asked.nfds) * stageSize) {
            staged = (0..<Int(asked.nfds)).map {
                stages.loadUnaligned(fromByteOffset: $0 * Int(stageSize), as: mewz_hc_stage.self).cap > 0
            }
        }
        let action = poll(call.poll_addr, staged: staged)
        // The poll struct is read again (poll wrote its answer there). Through the ring the guest
        // runs meanwhile and may have changed `nfds` since either read: the receives go only
        // to a count the stages were read for, never to one no check has seen.
        guard action == .resume, let staged, let answered = memory.object(mewz_hc_poll.self, at: call.poll_addr)?
                .loadUnaligned(as: mewz_hc_poll.self),
              answered.error == WASIErrno.success, Int(answered.nfds) == staged.count else { return action }
        guard let entries = memory.slice(answered.fds_addr, UInt64(answered.nfds) * entrySize),
              let stages = memory.slice(call.stages_addr, UInt64(answered.nfds) * stageSize) else { return action }
        for index in 0..<Int(answered.nfds) {
            let entry = entries.loadUnaligned(fromByteOffset: index * Int(entrySize), as: mewz_hc_poll_fd.self)
            var stage = stages.loadUnaligned(fromByteOffset: index * Int(stageSize), as: mewz_hc_stage.self)
            guard stage.cap > 0 else { continue }
            (stage.len, stage.error, stage.eof) = (0, WASIErrno.success, 0)
            // A listener's readiness is a connection: it stays for accept (a receive would only
            // stage ENOTCONN, which would answer every later poll at once).
            if entry.revents & UInt16(MEWZ_POLL_IN) != 0, let socket = try? sockets.socket(entry.handle), socket.isStream,
               !socket.isListening {
                if let buffer = memory.slice(stage.buf, UInt64(stage.cap)) {
                    let count = Syscall.receiveOnce(socket.fd, buffer)
                    if count > 0 {
                        stage.len = UInt32(count)
                        var answeredEntry = entry
                        answeredEntry.nbytes = UInt64(count)
                        entries.storeBytes(of: answeredEntry, toByteOffset: index * Int(entrySize), as: mewz_hc_poll_fd.self)
                    } else if count == 0 {
                        stage.eof = 1
                    } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                        stage.error = WASIErrno.from(Errno.current)
                    }
                } else {
                    stage.error = WASIErrno.fault
                }
            }
            stages.storeBytes(of: stage, toByteOffset: index * Int(stageSize), as: mewz_hc_stage.self)
        }
        return action
    }
}
