import Glibc

/// Host memory behind a guest memory slot: anonymous, private, and MAP_NORESERVE, so the host
/// pays only for the pages the guest touches. Unmapped when released.
final class AnonymousMapping {
    let bytes: UnsafeMutableRawBufferPointer

    init(size: UInt64, purpose: String) throws(MonitorError) {
        guard size > 0, let length = Int(exactly: size) else {
            throw .badConfiguration("\(purpose) of \(size) bytes")
        }
        do {
            let address = try Syscall.mmap(
                length: length, protection: PROT_READ | PROT_WRITE,
                flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
            bytes = UnsafeMutableRawBufferPointer(start: address, count: length)
        } catch {
            throw .hostMemory(purpose, bytes: size, error)
        }
    }

    deinit {
        if let base = bytes.baseAddress { Syscall.munmap(base, length: bytes.count) }
    }
}
