import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An image file held open, its header read and checked against the file's
/// size. The fd keeps naming the same file whatever happens to the path
/// afterwards (a prune, a rebuild renamed over it, an unlinked one-off
/// ROFS), so `create` opens the images and the container process maps them
/// from these fds.
public final class ImageFile: @unchecked Sendable {
    public let path: String
    /// -1 once `closeDescriptor()` ran.
    public private(set) var fd: Int32
    public let header: ImageHeader
    public let size: UInt64
    /// Last access, from fstat: the cache's "last used".
    let accessTime: timespec

    /// Opens and checks `path`: what a cache hit costs (open, fstat, one
    /// pread of the header, its checksum).
    public init(opening path: String) throws(ImageBuildError) {
        // Non-blocking, no controlling terminal: a fifo or device at the path is opened only to
        // be refused (not a regular file, below), never waited on or taken as a terminal.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .io("open", path, errno: errno) }
        do {
            (header, size, accessTime) = try Self.check(fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.path = path
    }

    deinit { closeDescriptor() }

    /// Closes the fd (mappings made from it stay valid): the container process keeps no
    /// descriptor but its stdio once its VM is set up.
    public func closeDescriptor() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private static func check(_ fd: Int32, path: String) throws(ImageBuildError) -> (ImageHeader, UInt64, timespec) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io("stat", path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .io("read image", path, errno: EINVAL) }
        var prefix = [UInt8](repeating: 0, count: ImageHeader.size)
        let got = prefix.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard got >= 0 else { throw .io("read", path, errno: errno) }
        let fileSize = UInt64(max(info.st_size, 0))
        let result = prefix.prefix(got).withUnsafeBytes { raw in
            Result { () throws(ImageFormatError) in try ImageHeader(validating: raw, fileSize: fileSize) }
        }
        do {
            return (try result.get(), fileSize, info.st_atim)
        } catch {
            throw .invalidImage(path, error)
        }
    }

    /// Marks the file used now (its atime), at most once an hour: `cache
    /// prune` removes ROFS entries nobody used for a week.
    func markUsed() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        // Compared without subtracting the file's time, which a file's owner sets at will
        // (INT64_MIN on tmpfs): the difference could overflow.
        guard accessTime.tv_sec < now.tv_sec - 3600 else { return }
        // UTIME_NOW and UTIME_OMIT of <sys/stat.h>, which Swift does not import.
        let utimeNow = (1 << 30) - 1, utimeOmit = (1 << 30) - 2
        var times = [timespec(tv_sec: 0, tv_nsec: utimeNow), timespec(tv_sec: 0, tv_nsec: utimeOmit)]
        _ = futimens(fd, &times)
    }
}
