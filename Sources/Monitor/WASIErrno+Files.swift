import Glibc

/// The errnos filesystem calls on volumes answer with, and the whole host-to-WASI table they
/// need (WASIErrno.from keeps stdio's short list).
extension WASIErrno {
    static let exists: UInt32 = 20
    static let loop: UInt32 = 32
    static let nameTooLong: UInt32 = 37
    static let noEntry: UInt32 = 44
    static let notDirectory: UInt32 = 54
    static let notEmpty: UInt32 = 55
    static let noDeviceOrAddress: UInt32 = 60
    static let overflow: UInt32 = 61
    static let readOnlyFilesystem: UInt32 = 69
    static let crossDevice: UInt32 = 75
    static let notCapable: UInt32 = 76

    /// Every errno a file system call can give, by its WASI number; EIO for the rest.
    static func fromFile(_ host: Errno) -> UInt32 {
        fileTable[host.code] ?? io
    }

    /// Built once, before the guest runs (HostVolumes' set-up reads it): no allocation per error.
    static let fileTable: [Int32: UInt32] = [
        E2BIG: 1, EACCES: 2, EAGAIN: 6, EALREADY: 7, EBADF: 8, EBUSY: 10, EDEADLK: 16, EDQUOT: 19,
        EEXIST: 20, EFAULT: 21, EFBIG: 22, EILSEQ: 25, EINTR: 27, EINVAL: 28, EIO: 29, EISDIR: 31,
        ELOOP: 32, EMFILE: 33, EMLINK: 34, ENAMETOOLONG: 37, ENFILE: 41, ENOBUFS: 42, ENODEV: 43,
        ENOENT: 44, ENOEXEC: 45, ENOLCK: 46, ENOMEM: 48, ENOSPC: 51, ENOSYS: 52, ENOTDIR: 54,
        ENOTEMPTY: 55, ENOTSOCK: 57, EOPNOTSUPP: 58, ENOTTY: 59, ENXIO: 60, EOVERFLOW: 61,
        EPERM: 63, EPIPE: 64, ERANGE: 68, EROFS: 69, ESPIPE: 70, ESTALE: 72, ETXTBSY: 74,
        // RESOLVE_BENEATH's answer for a path that would leave the mount.
        EXDEV: notCapable,
    ]
}
