import CMewzABI
import Glibc

extension Hypercalls {
    /// MEWZ_HC_WRITE: gathers the guest's buffers to stdout or stderr, all of them unless the
    /// host fails; bytes written before a failure are reported as a short write.
    func write(_ address: UInt64) -> Action {
        withArgument(mewz_hc_write.self, at: address, name: "write") { call in
            let hostFD: Int32
            switch call.fd {
            case 1: hostFD = descriptors.stdout
            case 2: hostFD = descriptors.stderr
            default:
                (call.written, call.error) = (0, WASIErrno.badDescriptor)
                return .resume
            }
            do throws(GuestErrno) {
                let vectors = try hostVectors(count: call.iovcnt, at: call.iov_addr)
                (call.written, call.error) = Self.writeAll(hostFD, vectors)
            } catch {
                (call.written, call.error) = (0, error.code)
            }
            return .resume
        }
    }

    /// writev until every byte is out, across partial writes and a non-blocking descriptor, or
    /// until a termination signal arrives.
    static func writeAll(_ fd: Int32, _ vectors: [iovec]) -> (written: UInt64, error: UInt32) {
        var remaining = vectors[...]
        var total: UInt64 = 0
        while !remaining.isEmpty {
            let written: Int
            do throws(Errno) {
                written = try Syscall.writev(fd, remaining)
            } catch {
                if error.code == EAGAIN, (try? Syscall.waitUntilReady(fd, for: Int16(POLLOUT))) != nil { continue }
                return (total, total > 0 ? WASIErrno.success : WASIErrno.from(error))
            }
            total += UInt64(written)
            advance(&remaining, by: written)
            // A signal cut this write short: report it as short; the VM ends at the next KVM_RUN.
            if Syscall.terminationPending { break }
        }
        return (total, WASIErrno.success)
    }

    /// Drops the first `count` bytes from `vectors`.
    static func advance(_ vectors: inout ArraySlice<iovec>, by count: Int) {
        var left = count
        while left > 0, var first = vectors.first {
            if left >= first.iov_len {
                left -= first.iov_len
                vectors.removeFirst()
            } else {
                first.iov_base = first.iov_base.map { $0 + left }
                first.iov_len -= left
                vectors[vectors.startIndex] = first
                left = 0
            }
        }
    }
}
