import Glibc

/// WASI preview1 errno values (wasi_snapshot_preview1 witx) that hypercalls answer with.
enum WASIErrno {
    static let success: UInt32 = 0
    static let tooBig: UInt32 = 1
    static let accessDenied: UInt32 = 2
    static let addressInUse: UInt32 = 3
    static let addressNotAvailable: UInt32 = 4
    static let familyNotSupported: UInt32 = 5
    static let again: UInt32 = 6
    static let already: UInt32 = 7
    static let badDescriptor: UInt32 = 8
    static let connectionAborted: UInt32 = 13
    static let connectionRefused: UInt32 = 14
    static let connectionReset: UInt32 = 15
    static let destinationRequired: UInt32 = 17
    static let quota: UInt32 = 19
    static let fault: UInt32 = 21
    static let fileTooBig: UInt32 = 22
    static let hostUnreachable: UInt32 = 23
    static let inProgress: UInt32 = 26
    static let interrupted: UInt32 = 27
    static let invalid: UInt32 = 28
    static let io: UInt32 = 29
    static let isConnected: UInt32 = 30
    static let isDirectory: UInt32 = 31
    static let tooManyFiles: UInt32 = 33
    static let messageTooBig: UInt32 = 35
    static let networkDown: UInt32 = 38
    static let networkReset: UInt32 = 39
    static let networkUnreachable: UInt32 = 40
    static let noBuffers: UInt32 = 42
    static let noMemory: UInt32 = 48
    static let noProtocolOption: UInt32 = 50
    static let noSpace: UInt32 = 51
    static let notConnected: UInt32 = 53
    static let notSocket: UInt32 = 57
    static let notSupported: UInt32 = 58
    static let permission: UInt32 = 63
    static let brokenPipe: UInt32 = 64
    static let protocolNotSupported: UInt32 = 66
    static let wrongProtocolType: UInt32 = 67
    static let illegalSeek: UInt32 = 70
    static let timedOut: UInt32 = 73

    /// The WASI errno for a host errno; EIO for anything a guest cannot act on.
    static func from(_ host: Errno) -> UInt32 {
        switch host.code {
        case E2BIG: return tooBig
        case EACCES: return accessDenied
        case EADDRINUSE: return addressInUse
        case EADDRNOTAVAIL: return addressNotAvailable
        case EAFNOSUPPORT: return familyNotSupported
        case EAGAIN: return again
        case EALREADY: return already
        case ECONNABORTED: return connectionAborted
        case ECONNREFUSED: return connectionRefused
        case EDESTADDRREQ: return destinationRequired
        case EHOSTUNREACH: return hostUnreachable
        case EINPROGRESS: return inProgress
        case EISCONN: return isConnected
        case EMFILE: return tooManyFiles
        case EMSGSIZE: return messageTooBig
        case ENETDOWN: return networkDown
        case ENETRESET: return networkReset
        case ENETUNREACH: return networkUnreachable
        case ENOPROTOOPT: return noProtocolOption
        case ENOTCONN: return notConnected
        case ENOTSOCK: return notSocket
        case EPROTONOSUPPORT: return protocolNotSupported
        case EPROTOTYPE: return wrongProtocolType
        case ETIMEDOUT: return timedOut
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
