import CMewzABI

extension Hypercalls {
    static let maxRandomBytes: UInt64 = 65536

    /// MEWZ_HC_RANDOM: host entropy into guest memory, at most 64 KiB per call.
    func random(_ address: UInt64) -> Action {
        withArgument(mewz_hc_random.self, at: address, name: "random") { call in
            guard call.len <= Self.maxRandomBytes else {
                call.error = WASIErrno.invalid
                return .resume
            }
            guard let buffer = memory.slice(call.addr, call.len) else {
                call.error = WASIErrno.fault
                return .resume
            }
            var filled = 0
            while filled < buffer.count {
                do throws(Errno) {
                    filled += try Syscall.getrandom(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                } catch {
                    call.error = WASIErrno.from(error)
                    return .resume
                }
            }
            call.error = WASIErrno.success
            return .resume
        }
    }
}
