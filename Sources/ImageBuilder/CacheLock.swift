#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An exclusive flock on `<entry>.lock`, held while one process builds a
/// cache entry; others building the same entry wait, then find it built.
/// The holder removes the lock file before releasing it, so a waiter can
/// find the file it locked unlinked: it then locks the new one (the check
/// after every flock compares the locked inode with the path's).
final class CacheLock {
    let path: String
    private var fd: Int32

    /// Blocks until the lock is held; `waiting` is called once if another
    /// process holds it first.
    init(_ path: String, waiting: () -> Void = {}) throws(ImageBuildError) {
        self.path = path
        var told = false
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .io("create lock file", path, errno: errno) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK else {
                    let code = errno
                    close(fd)
                    throw .io("lock", path, errno: code)
                }
                if !told {
                    waiting()
                    told = true
                }
                while flock(fd, LOCK_EX) != 0 {
                    guard errno == EINTR else {
                        let code = errno
                        close(fd)
                        throw .io("lock", path, errno: code)
                    }
                }
            }
            if Self.isCurrent(fd, path) {
                self.fd = fd
                return
            }
            close(fd)
        }
    }

    /// The lock without waiting, or nil when another process holds it.
    static func tryLock(_ path: String) -> CacheLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, isCurrent(fd, path) else {
            close(fd)
            return nil
        }
        return CacheLock(path: path, fd: fd)
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Whether the path still names the file `fd` locked.
    private static func isCurrent(_ fd: Int32, _ path: String) -> Bool {
        var held = stat(), named = stat()
        return fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_dev == named.st_dev && held.st_ino == named.st_ino
    }

    func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
