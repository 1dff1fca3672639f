import CKVM
import Glibc

/// Resolution beneath a directory on kernels without openat2 (before Linux 5.6): a walk one
/// component at a time, each opened with O_NOFOLLOW relative to the descriptor of the one
/// before, so the kernel never follows a symlink or a magic link; symlinks are read here and
/// their targets walked the same way (an absolute target is ENOTCAPABLE), and ".." pops the
/// walk's own stack of descriptors instead of asking the kernel, so it can never rise above the
/// start, not even when a directory is renamed elsewhere during the walk. A component swapped
/// for a symlink between the look and the open fails the open (ELOOP or ENOTDIR), never escapes.
extension HostVolumes {
    /// Whether openat2 exists here; decided once, when the first volume is opened (before the
    /// seccomp filter, which then allows openat only with O_NOFOLLOW when it does not).
    nonisolated(unsafe) static var kernelResolvesBeneath = true

    static func probeKernelResolution(_ root: Int32) {
        let fd = ckvm_open_beneath(root, ".", UInt64(UInt32(bitPattern: CKVM_O_PATH | O_CLOEXEC)), 0)
        if fd >= 0 { Syscall.close(fd) }
        kernelResolvesBeneath = !(fd < 0 && errno == ENOSYS)
    }

    /// `path` opened beneath `start` with `flags` (O_NOFOLLOW in them: the last component is not
    /// followed), as openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS would.
    static func openByWalk(_ start: Int32, _ path: String, _ flags: Int32, mode: UInt32 = 0) throws(GuestErrno) -> Int32 {
        guard !path.hasPrefix("/") else { throw GuestErrno(code: WASIErrno.notCapable) }
        guard !path.isEmpty else { throw GuestErrno(code: WASIErrno.noEntry) }
        // "..\0x" is a plain name to the walk's checks and ".." to openat (openBeneath).
        guard !path.utf8.contains(0) else { throw GuestErrno(code: WASIErrno.invalid) }
        let followLast = flags & O_NOFOLLOW == 0
        var pending = components(path)
        var stack = [try openAt(start, ".", CKVM_O_PATH | O_DIRECTORY)]
        defer { stack.forEach { Syscall.close($0) } }
        var links = 0
        while !pending.isEmpty {
            let (name, slash) = pending.removeFirst()
            let last = pending.isEmpty
            let current = stack[stack.count - 1]
            if name == "." || name == ".." {
                if name == ".." {
                    guard stack.count > 1 else { throw GuestErrno(code: WASIErrno.notCapable) }
                    Syscall.close(stack.removeLast())
                }
                if last { return try openAt(stack[stack.count - 1], ".", flags | O_NOFOLLOW, mode: mode) }
                continue
            }
            var info = stat()
            let exists = fstatat(current, name, &info, AT_SYMLINK_NOFOLLOW) == 0
            if exists && info.st_mode & S_IFMT == S_IFLNK && (!last || followLast || slash) {
                links += 1
                guard links <= symlinkLimit else { throw GuestErrno(code: WASIErrno.loop) }
                guard let target = readLink(current, name), !target.isEmpty else { throw GuestErrno(code: WASIErrno.noEntry) }
                guard !target.hasPrefix("/") else { throw GuestErrno(code: WASIErrno.notCapable) }
                var spliced = components(target)
                if slash, let end = spliced.popLast() { spliced.append((end.name, true)) }
                pending = spliced + pending
                continue
            }
            if last {
                return try openAt(current, slash ? name + "/" : name, flags | O_NOFOLLOW, mode: mode)
            }
            stack.append(try openAt(current, name, CKVM_O_PATH | O_DIRECTORY))
        }
        return try openAt(stack[stack.count - 1], ".", flags | O_NOFOLLOW, mode: mode)
    }

    /// "a//b/" -> [("a", false), ("b", true)]: each name, and whether slashes followed it.
    static func components(_ path: String) -> [(name: String, slash: Bool)] {
        var result: [(name: String, slash: Bool)] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) { result.append((String(part), true)) }
        if !path.hasSuffix("/"), let end = result.popLast() { result.append((end.name, false)) }
        return result
    }

    /// openat of one name with O_NOFOLLOW always; EINTR retried.
    private static func openAt(_ directory: Int32, _ name: String, _ flags: Int32, mode: UInt32 = 0) throws(GuestErrno) -> Int32 {
        while true {
            let fd = Glibc.openat(directory, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            let failure = Errno.current
            if failure.code == EINTR { continue }
            throw GuestErrno(code: WASIErrno.fromFile(failure))
        }
    }
}
