import CMewzABI
import Glibc

extension Hypercalls {
    /// MEWZ_HC_READ: one scattering read from stdin; 0 bytes at end of file.
    func read(_ address: UInt64) -> Action {
        withArgument(mewz_hc_read.self, at: address, name: "read") { call in
            guard call.fd == 0 else {
                (call.nread, call.error) = (0, WASIErrno.badDescriptor)
                return .resume
            }
            do throws(GuestErrno) {
                let vectors = try hostVectors(count: call.iovcnt, at: call.iov_addr)
                (call.nread, call.error) = Self.readOnce(descriptors.stdin, vectors)
            } catch {
                (call.nread, call.error) = (0, error.code)
            }
            return .resume
        }
    }

    /// readv once, waiting on a non-blocking descriptor as a blocking one would.
    static func readOnce(_ fd: Int32, _ vectors: [iovec]) -> (read: UInt64, error: UInt32) {
        guard !vectors.isEmpty else { return (0, WASIErrno.success) }
        while true {
            do throws(Errno) {
                return (UInt64(try Syscall.readv(fd, vectors)), WASIErrno.success)
            } catch {
                if error.code == EAGAIN, (try? Syscall.waitUntilReady(fd, for: Int16(POLLIN))) != nil { continue }
                return (0, WASIErrno.from(error))
            }
        }
    }
}
