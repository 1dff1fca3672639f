import Glibc

/// `<root>/<id>/`: mewz-state.json, the lock file, and exec.fifo while the container is "created".
struct ContainerDirectory {
    let id: String
    let path: String

    var statePath: String { path + "/" + ContainerState.fileName }
    /// runc's state file: present when this id was handed to runc (FallbackRuntime).
    var runcStatePath: String { path + "/state.json" }
    var lockPath: String { path + "/lock" }
    var fifoPath: String { path + "/exec.fifo" }

    init(root: String, id: String) throws(OCIError) {
        try ContainerID.validate(id)
        self.id = id
        self.path = PathName.join(root, id)
    }

    var exists: Bool { FileIO.exists(path) }

    /// The status the recorded process, the FIFO and the freezer imply right now.
    func status(of state: ContainerState) -> ContainerStatus {
        let status = ContainerStatus.derive(recordedStartTime: state.pidStartTime, process: ProcessStat.read(pid: state.pid),
                                            fifoExists: FileIO.exists(fifoPath))
        guard status != .stopped, let cgroup = state.cgroup, cgroup.isFrozen else { return status }
        return .paused
    }

    func loadState() throws(OCIError) -> ContainerState {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.readFile(statePath, limit: ContainerState.maximumFileSize)
        } catch {
            if FileIO.exists(statePath) { throw error }
            throw .containerDoesNotExist
        }
        let state = try ContainerState.decode(bytes, source: statePath)
        guard state.id == id else {
            throw .invalidState(path: statePath, reason: "records id \"\(state.id)\"")
        }
        return state
    }

    func saveState(_ state: ContainerState) throws(OCIError) {
        try FileIO.writeAtomically(statePath, state.encoded(), mode: 0o600, replacingStaleTemporary: true)
    }

    /// Makes the directory (and the root above it) and takes its lock: the first step of create.
    func makeLocked() throws(OCIError) -> ContainerLock {
        try ContainerDirectory.makeDirectories(PathName.directory(of: path))
        guard mkdir(path, 0o711) == 0 else {
            if errno == EEXIST { throw .containerAlreadyExists }
            throw .system("mkdir", path, errno: errno)
        }
        return try ContainerLock(path: lockPath, create: true)
    }

    /// Takes the lock of an existing container; "does not exist" if it is gone or going.
    func lock() throws(OCIError) -> ContainerLock {
        try ContainerLock(path: lockPath, create: false)
    }

    func remove() throws(OCIError) {
        try FileIO.removeDirectory(path)
    }

    private static func makeDirectories(_ path: String) throws(OCIError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix.append("/")
            prefix.append(contentsOf: component)  // String + Substring would call generic code
            if mkdir(prefix, 0o711) != 0 && errno != EEXIST {
                throw .system("mkdir", prefix, errno: errno)
            }
        }
    }
}

/// An exclusive flock on `<root>/<id>/lock`, released when this is deinitialised.
/// delete unlinks the file while holding it, so a waiter that then gets the lock sees
/// nlink == 0 and knows the container is gone.
final class ContainerLock {
    private let fd: Int32
    /// The lock file's device and inode: a container deleted and created again under the same
    /// id has a new one.
    let file: FileIdentity

    init(path: String, create: Bool) throws(OCIError) {
        let flags = O_RDWR | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT | O_EXCL : 0)
        let fd = Syscall.retrying { open(path, flags, 0o600) }
        guard fd >= 0 else {
            if !create && (errno == ENOENT || errno == ENOTDIR) { throw .containerDoesNotExist }
            throw .system("open", path, errno: errno)
        }
        guard Syscall.retrying({ flock(fd, LOCK_EX) }) == 0 else {
            let code = errno
            close(fd)
            throw .system("lock", path, errno: code)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_nlink > 0 else {
            close(fd)
            throw .containerDoesNotExist
        }
        self.fd = fd
        file = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    deinit {
        close(fd)
    }
}

/// A file's device and inode number.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
}
