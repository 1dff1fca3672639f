import Glibc

/// WASI preview1 errno values (wasi_snapshot_preview1 witx) that hypercalls answer with.
enum WASIErrno {
    static let success: UInt32 = 0
    static let tooBig: UInt32 = 1
    static let accessDenied: UInt32 = 2
    static let again: UInt32 = 6
    static let badDescriptor: UInt32 = 8
    static let connectionReset: UInt32 = 15
    static let quota: UInt32 = 19
    static let fault: UInt32 = 21
    static let fileTooBig: UInt32 = 22
    static let interrupted: UInt32 = 27
    static let invalid: UInt32 = 28
    static let io: UInt32 = 29
    static let isDirectory: UInt32 = 31
    static let noBuffers: UInt32 = 42
    static let noMemory: UInt32 = 48
    static let noSpace: UInt32 = 51
    static let notSupported: UInt32 = 58
    static let permission: UInt32 = 63
    static let brokenPipe: UInt32 = 64
    static let illegalSeek: UInt32 = 70

    /// The WASI errno for a host errno; EIO for anything a guest cannot act on.
    static func from(_ host: Errno) -> UInt32 {
        switch host.code {
        case E2BIG: return tooBig
        case EACCES: return accessDenied
        case EAGAIN: return again
        case EBADF: return badDescriptor
        case ECONNRESET: return connectionReset
        case EDQUOT: return quota
        case EFAULT: return fault
        case EFBIG: return fileTooBig
        case EINTR: return interrupted
        case EINVAL: return invalid
        case EISDIR: return isDirectory
        case ENOBUFS: return noBuffers
        case ENOMEM: return noMemory
        case ENOSPC: return noSpace
        case EOPNOTSUPP: return notSupported
        case EPERM: return permission
        case EPIPE: return brokenPipe
        case ESPIPE: return illegalSeek
        default: return io
        }
    }
}
