extension ROFSReader {
    /// Checks the whole filesystem, beyond what each lookup checks: every
    /// directory's run is sorted without duplicates, every inode is reached
    /// from the root, a directory by exactly one entry and with the right
    /// parent, and every nlink is the count of entries naming the inode
    /// (directories: 2 + subdirectories). Returns the tree it read, file
    /// bytes included, so a round trip can compare it with what was written;
    /// without `copyingData` (a check: `cache verify`) files are bounds-checked
    /// and left out, so checking a large filesystem costs no copy of it.
    ///
    /// The work is linear in the entry table: directories whose entry runs
    /// overlap (which would have each walk the same entries again, a crafted
    /// filesystem's way to cost K x N) are refused.
    public func tree(copyingData: Bool = true) throws(ROFSError) -> ROFSTree {
        var tree = ROFSTree(rootMetadata: try inode(ROFS.rootInode).metadata)
        var treeIndex = [ROFSTree.InodeID?](repeating: nil, count: Int(inodeCount))
        treeIndex[Int(ROFS.rootInode)] = ROFSTree.root
        var linksCounted = [UInt32](repeating: 0, count: Int(inodeCount))
        var pending: [UInt32] = [ROFS.rootInode]
        var entriesWalked: UInt64 = 0
        while let directory = pending.popLast() {
            let entries = try entries(of: directory)
            // Each directory is walked once (one entry names it), so disjoint runs sum to at most
            // the table's size.
            entriesWalked += UInt64(entries.count)
            guard entriesWalked <= UInt64(direntCount) else {
                throw .badInode(directory, "its entries overlap another directory's")
            }
            var subdirectories: UInt32 = 0
            for (position, entry) in entries.enumerated() {
                if position > 0, !ROFS.namePrecedes(entries[position - 1].name, entry.name) {
                    throw .unsortedDirectory(directory)
                }
                let record = try inode(entry.inode)
                linksCounted[Int(entry.inode)] += 1
                guard let parent = treeIndex[Int(directory)] else { throw .unreachableInode(directory) }
                if let existing = treeIndex[Int(entry.inode)] {
                    guard record.type != .directory else { throw .inodeLinkedTwice(entry.inode) }
                    try tree.addHardLink(entry.name, in: parent, to: existing)
                    continue
                }
                switch record.type {
                case .directory:
                    guard record.parent == directory else {
                        throw .badInode(entry.inode, "parent \(record.parent), but it is in \(directory)")
                    }
                    subdirectories += 1
                    treeIndex[Int(entry.inode)] = try tree.addDirectory(entry.name, in: parent, metadata: record.metadata)
                    pending.append(entry.inode)
                case .regular:
                    let data = try contents(of: entry.inode)
                    let bytes = copyingData ? Array(data) : []
                    treeIndex[Int(entry.inode)] = try tree.addFile(
                        entry.name, in: parent, data: .bytes(bytes), metadata: record.metadata)
                case .symlink:
                    treeIndex[Int(entry.inode)] = try tree.addSymlink(
                        entry.name, in: parent, target: try symlinkTarget(of: entry.inode), metadata: record.metadata)
                }
            }
            let record = try inode(directory)
            guard UInt64(record.nlink) == 2 + UInt64(subdirectories) else {
                throw .wrongLinkCount(directory, stored: record.nlink, counted: subdirectories &+ 2)
            }
        }
        for index in 0..<inodeCount {
            guard treeIndex[Int(index)] != nil else { throw .unreachableInode(index) }
            let record = try inode(index)
            if record.type != .directory, record.nlink != linksCounted[Int(index)] {
                throw .wrongLinkCount(index, stored: record.nlink, counted: linksCounted[Int(index)])
            }
        }
        return tree
    }
}

extension ROFSTree {
    /// One line of `listing()`.
    public struct ListedEntry: Hashable, Sendable, CustomStringConvertible {
        public var path: String
        public var type: ROFS.FileType
        public var metadata: ROFSMetadata
        /// Regular: the data; symlink: the target; directory: empty.
        public var contents: ROFSFileData
        /// For a second name of an inode: the first path that named it.
        public var linkOf: String?

        public var description: String {
            "\(path) \(type) \(String(metadata.mode, radix: 8)) \(contents.size)" + (linkOf.map { " -> \($0)" } ?? "")
        }
    }

    /// Every path of the tree in breadth-first, name order, with what it
    /// names: equal for two trees that mean the same filesystem, whatever
    /// their inode numbering.
    public func listing() -> [ListedEntry] {
        var listed: [ListedEntry] = []
        var firstPath: [InodeID: String] = [:]
        var pending: [(InodeID, String)] = [(Self.root, "")]
        var next = 0
        while next < pending.count {
            let (directory, prefix) = pending[next]
            next += 1
            for entry in entries(of: directory) {
                let path = prefix + "/" + ROFSError.printable(entry.name)
                let inode = inodes[entry.inode]
                var contents = ROFSFileData.bytes([])
                switch inode.kind {
                case .directory: pending.append((entry.inode, path))
                case .regular(let data): contents = data
                case .symlink(let target): contents = .bytes(target)
                }
                listed.append(ListedEntry(
                    path: path, type: inode.kind.fileType, metadata: inode.metadata, contents: contents,
                    linkOf: firstPath[entry.inode]))
                if firstPath[entry.inode] == nil { firstPath[entry.inode] = path }
            }
        }
        return listed
    }
}
