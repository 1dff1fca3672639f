/// Permission bits and timestamps of one inode, as the ROFS stores them.
public struct ROFSMetadata: Hashable, Sendable {
    /// Permission bits (07777) of the rootfs file.
    public var mode: UInt16
    /// Nanoseconds since the Unix epoch (earlier times are stored as 0).
    public var accessTime: UInt64
    public var modificationTime: UInt64
    public var changeTime: UInt64

    public init(mode: UInt16, accessTime: UInt64 = 0, modificationTime: UInt64 = 0, changeTime: UInt64 = 0) {
        self.mode = mode
        self.accessTime = accessTime
        self.modificationTime = modificationTime
        self.changeTime = changeTime
    }
}

/// The bytes of a regular file: held in memory, or streamed in by the
/// caller when the ROFS is written (a file of the rootfs, which need not fit
/// in memory). `source` is the caller's own handle for the file.
public enum ROFSFileData: Hashable, Sendable {
    case bytes([UInt8])
    case external(size: UInt64, source: Int)

    public var size: UInt64 {
        switch self {
        case .bytes(let bytes): UInt64(bytes.count)
        case .external(let size, _): size
        }
    }
}

/// A filesystem tree to be written as a ROFS: inodes (directories, regular
/// files, symlinks) and the directory entries naming them. A hard link is a
/// second entry naming the same inode. Built through the `add` methods,
/// which check every name and target, so a tree that exists can be written
/// (up to the size limits the writer checks).
public struct ROFSTree: Sendable, Equatable {
    public typealias InodeID = Int

    public enum Kind: Hashable, Sendable {
        /// Its entries are in `ROFSTree.entries(of:)`.
        case directory
        case regular(ROFSFileData)
        case symlink(target: [UInt8])

        public var fileType: ROFS.FileType {
            switch self {
            case .directory: .directory
            case .regular: .regular
            case .symlink: .symlink
            }
        }
    }

    public struct Inode: Hashable, Sendable {
        public var kind: Kind
        public var metadata: ROFSMetadata
        /// Directories: the directory holding it (the root's is itself), and
        /// its name there; for error messages. Others: where first named.
        var parent: InodeID
        var name: [UInt8]
    }

    public static let root: InodeID = 0

    public private(set) var inodes: [Inode]
    /// Entries by name, per inode (empty for all but directories); the
    /// writer sorts them.
    private var children: [[[UInt8]: InodeID]]

    public init(rootMetadata: ROFSMetadata = ROFSMetadata(mode: 0o755)) {
        inodes = [Inode(kind: .directory, metadata: rootMetadata, parent: Self.root, name: [])]
        children = [[:]]
    }

    @discardableResult
    public mutating func addDirectory(_ name: some Collection<UInt8>, in parent: InodeID, metadata: ROFSMetadata)
        throws(ROFSError) -> InodeID
    {
        try add(Array(name), in: parent, Inode(kind: .directory, metadata: metadata, parent: parent, name: Array(name)))
    }

    @discardableResult
    public mutating func addFile(_ name: some Collection<UInt8>, in parent: InodeID, data: ROFSFileData, metadata: ROFSMetadata)
        throws(ROFSError) -> InodeID
    {
        try add(Array(name), in: parent, Inode(kind: .regular(data), metadata: metadata, parent: parent, name: Array(name)))
    }

    /// The target is stored as it is; the guest resolves it inside the ROFS.
    @discardableResult
    public mutating func addSymlink(_ name: some Collection<UInt8>, in parent: InodeID, target: some Collection<UInt8>,
                                    metadata: ROFSMetadata) throws(ROFSError) -> InodeID
    {
        let target = Array(target)
        guard target.count <= ROFS.symlinkMax else {
            throw .symlinkTargetTooLong(path(of: parent, appending: Array(name)), length: target.count)
        }
        guard !target.isEmpty, !target.contains(0) else { throw .invalidSymlinkTarget(path(of: parent, appending: Array(name))) }
        return try add(Array(name), in: parent, Inode(kind: .symlink(target: target), metadata: metadata, parent: parent, name: Array(name)))
    }

    /// A further entry naming `inode`, which must not be a directory.
    public mutating func addHardLink(_ name: some Collection<UInt8>, in parent: InodeID, to inode: InodeID) throws(ROFSError) {
        let name = Array(name)
        guard inodes.indices.contains(inode) else { throw .noSuchInode(inode) }
        if inodes[inode].kind == .directory { throw .hardLinkToDirectory(path(of: parent, appending: name)) }
        try insert(name, in: parent, naming: inode)
    }

    /// Entries of a directory, sorted as the ROFS stores them; empty for
    /// anything else.
    public func entries(of directory: InodeID) -> [(name: [UInt8], inode: InodeID)] {
        guard children.indices.contains(directory) else { return [] }
        return children[directory].map { (name: $0.key, inode: $0.value) }.sorted { ROFS.namePrecedes($0.name, $1.name) }
    }

    /// "/a/b" for the directory b in a (the root is "/").
    public func path(of directory: InodeID) -> String {
        var components: [[UInt8]] = []
        var current = directory
        var steps = 0
        while current != Self.root, inodes.indices.contains(current), steps < inodes.count {
            components.append(inodes[current].name)
            current = inodes[current].parent
            steps += 1
        }
        return "/" + components.reversed().map { ROFSError.printable($0) }.joined(separator: "/")
    }

    func path(of directory: InodeID, appending name: [UInt8]) -> String {
        let base = path(of: directory)
        return (base == "/" ? "" : base) + "/" + ROFSError.printable(name)
    }

    private mutating func add(_ name: [UInt8], in parent: InodeID, _ inode: Inode) throws(ROFSError) -> InodeID {
        try checkEntry(name, in: parent)
        inodes.append(inode)
        children.append([:])
        try insert(name, in: parent, naming: inodes.count - 1)
        return inodes.count - 1
    }

    private func checkEntry(_ name: [UInt8], in parent: InodeID) throws(ROFSError) {
        guard inodes.indices.contains(parent) else { throw .noSuchInode(parent) }
        guard inodes[parent].kind == .directory else {
            throw .notADirectory(path(of: inodes[parent].parent, appending: inodes[parent].name))
        }
        guard name.count <= ROFS.nameMax else { throw .nameTooLong(path(of: parent, appending: name), length: name.count) }
        guard ROFS.isValidName(name) else { throw .invalidName(path(of: parent, appending: name)) }
        guard children[parent][name] == nil else { throw .duplicateName(path(of: parent, appending: name)) }
    }

    private mutating func insert(_ name: [UInt8], in parent: InodeID, naming inode: InodeID) throws(ROFSError) {
        try checkEntry(name, in: parent)
        children[parent][name] = inode
    }
}
