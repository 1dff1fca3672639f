import CMewzABI

extension Hypercalls {
    /// MEWZ_HC_MEMORY: backs at least `wanted` bytes of the linear-memory window and answers
    /// the backed size, which never shrinks.
    func backLinearMemory(_ address: UInt64) -> Action {
        withArgument(mewz_hc_memory.self, at: address, name: "memory") { call in
            guard let linearMemory else {
                call.backed = 0
                call.error = call.wanted == 0 ? WASIErrno.success : WASIErrno.invalid
                return .resume
            }
            do throws(GuestErrno) {
                try linearMemory.back(call.wanted)
                call.error = WASIErrno.success
            } catch {
                call.error = error.code
            }
            call.backed = linearMemory.backed
            return .resume
        }
    }
}
