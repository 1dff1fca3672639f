import CKVM
import Glibc

/// Path resolution beneath a volume's host root. Every open goes through openat2 with
/// RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, so "..", absolute paths, absolute or relative
/// symlinks and /proc magic links can never leave the directory the walk starts from, and a
/// directory renamed during the walk cannot take it outside either (the kernel checks). The
/// calls that take a name (mkdirat, unlinkat, renameat, ...) get a parent opened that way and
/// one component, which they never follow; a last symlink the guest asks to follow is read
/// here and its target resolved beneath the same start, up to 40 links (ELOOP).
extension HostVolumes {
    static let symlinkLimit = 40

    /// openat2 beneath `directory`; EXDEV (an escape) is ENOTCAPABLE for the guest. Without
    /// openat2 in the kernel, the O_NOFOLLOW walk of HostVolumes+Walk.
    static func openBeneath(_ directory: Int32, _ path: String, _ flags: Int32, mode: UInt32 = 0) throws(GuestErrno) -> Int32 {
        // A NUL would end the kernel's path where Swift's checks of the whole string did not
        // look ("..\0x"); guest paths never hold one (Hypercalls.guestPath), so this only guards.
        guard !path.utf8.contains(0) else { throw GuestErrno(code: WASIErrno.invalid) }
        guard kernelResolvesBeneath else { return try openByWalk(directory, path, flags, mode: mode) }
        while true {
            let fd = ckvm_open_beneath(directory, path, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), UInt64(mode))
            if fd >= 0 { return fd }
            let failure = Errno.current
            // EAGAIN: a rename raced the walk; the kernel asks for a retry.
            if failure.code == EINTR || failure.code == EAGAIN { continue }
            throw GuestErrno(code: WASIErrno.fromFile(failure))
        }
    }

    /// A path's parent directory (an CKVM_O_PATH descriptor the caller closes) and its last
    /// component, trailing slashes kept ("a/" stays "a/" so the call sees them, as Linux
    /// does). With `follow`, a last component that is a symlink is replaced by its target.
    static func parent(of path: String, beneath root: Int32, follow: Bool) throws(GuestErrno) -> (fd: Int32, last: String) {
        guard !path.utf8.contains(0) else { throw GuestErrno(code: WASIErrno.invalid) }  // as in openBeneath
        var path = path
        for _ in 0...symlinkLimit {
            guard !path.isEmpty else { throw GuestErrno(code: WASIErrno.noEntry) }
            guard !path.hasPrefix("/") else { throw GuestErrno(code: WASIErrno.notCapable) }
            let (directory, last) = split(path)
            let fd = try openBeneath(root, directory, CKVM_O_PATH | O_DIRECTORY)
            if last == "." || last == ".." {
                // The call acts on the parent's parent: it must be beneath the start too.
                do throws(GuestErrno) {
                    Syscall.close(try openBeneath(root, path, CKVM_O_PATH))
                } catch {
                    Syscall.close(fd)
                    throw error
                }
                return (fd, last)
            }
            guard follow, !last.hasSuffix("/"), let target = readLink(fd, last) else { return (fd, last) }
            Syscall.close(fd)
            path = directory == "." ? target : directory + "/" + target
        }
        throw GuestErrno(code: WASIErrno.loop)
    }

    /// "a/b/c" -> ("a/b", "c"); "c" -> (".", "c"); "a/b/" -> ("a", "b/"); "a//b" -> ("a", "b").
    static func split(_ path: String) -> (directory: String, last: String) {
        var body = Substring(path)
        var slashes = ""
        while body.count > 1, body.hasSuffix("/") {
            body = body.dropLast()
            slashes = "/"
        }
        guard let cut = body.lastIndex(of: "/") else { return (".", String(body) + slashes) }
        var directory = body[..<cut]
        while directory.hasSuffix("/") { directory = directory.dropLast() }
        return (directory.isEmpty ? "." : String(directory), String(body[body.index(after: cut)...]) + slashes)
    }

    /// The target of the symlink `name` in `directory`, or nil when it is no symlink.
    static func readLink(_ directory: Int32, _ name: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX))
        let count = readlinkat(directory, name, &buffer, buffer.count)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
