/// Lays a `ROFSTree` out as rofs.h describes: the superblock, the inode
/// table, each directory's entries as one sorted run, the names and symlink
/// targets, then the file data from a 4096-aligned offset. The section is
/// padded with zeros to a whole page.
///
/// Inodes are numbered breadth first from the root (0), entries in name
/// order, so a directory's children have neighbouring inodes, and file data
/// follows the same order. A hard-linked inode is stored once. Identical
/// names share their bytes in the strings area.
///
/// The metadata is built in memory (it is small); the file data is not: the
/// caller writes `chunks` in order, streaming each external file in itself.
public struct ROFSLayout: Sendable {
    /// What the section is made of, in order.
    public enum Chunk: Equatable, Sendable {
        case bytes([UInt8])
        /// `size` bytes of the caller's file `source`.
        case external(source: Int, size: UInt64)
        case zeros(UInt64)
    }

    /// Superblock, inodes, entries and strings, zero padded up to `dataOffset`.
    public let metadata: [UInt8]
    public let dataOffset: UInt64
    public let dataSize: UInt64
    /// The whole section: a multiple of `ROFS.pageSize`.
    public let size: UInt64
    /// Regular files' data in the order it lies in the data area.
    public let files: [ROFSFileData]
    public let inodeCount: Int

    public init(_ tree: ROFSTree, device: UInt64 = ROFS.defaultDevice) throws(ROFSError) {
        let order = Self.breadthFirst(tree)
        let newIndex = order.newIndex
        let inodeCount = order.inodes.count
        guard inodeCount <= Int(UInt32.max) else { throw .tooManyInodes(inodeCount) }

        // Entries, strings, and each directory's run.
        var strings = StringTable()
        var dirents: [(nameOffset: UInt32, nameLength: UInt32, inode: UInt32)] = []
        var runs: [ROFSTree.InodeID: (first: Int, count: Int, subdirectories: Int)] = [:]
        var linkCounts = [UInt32](repeating: 0, count: inodeCount)
        for old in order.inodes where tree.inodes[old].kind == .directory {
            let entries = tree.entries(of: old)
            var subdirectories = 0
            runs[old] = (dirents.count, entries.count, 0)
            for entry in entries {
                let offset = try strings.add(entry.name)
                let target = newIndex[entry.inode]
                dirents.append((offset, UInt32(entry.name.count), UInt32(target)))
                linkCounts[target] += 1
                if tree.inodes[entry.inode].kind == .directory { subdirectories += 1 }
            }
            runs[old]?.subdirectories = subdirectories
        }
        guard dirents.count <= Int(UInt32.max) else { throw .tooManyEntries(dirents.count) }
        var symlinkTargets: [ROFSTree.InodeID: UInt32] = [:]
        for old in order.inodes {
            if case .symlink(let target) = tree.inodes[old].kind { symlinkTargets[old] = try strings.add(target) }
        }

        // Areas.
        let inodeOffset = UInt64(ROFS.Super.size)
        let direntOffset = inodeOffset + UInt64(inodeCount) * UInt64(ROFS.Inode.size)
        let stringsOffset = direntOffset + UInt64(dirents.count) * UInt64(ROFS.Dirent.size)
        let dataOffset = alignUp(stringsOffset + UInt64(strings.bytes.count), ROFS.pageSize)
        var dataSize: UInt64 = 0
        var files: [ROFSFileData] = []
        var fileOffsets: [ROFSTree.InodeID: UInt64] = [:]
        for old in order.inodes {
            guard case .regular(let data) = tree.inodes[old].kind else { continue }
            fileOffsets[old] = dataOffset + dataSize
            let (sum, overflow) = dataSize.addingReportingOverflow(data.size)
            guard !overflow, sum <= ROFS.maxSize else { throw .tooLarge(overflow ? .max : dataOffset + sum) }
            dataSize = sum
            files.append(data)
        }
        let size = alignUp(dataOffset + dataSize, ROFS.pageSize)
        guard size <= ROFS.maxSize else { throw .tooLarge(size) }

        // Bytes.
        var bytes = [UInt8](repeating: 0, count: Int(dataOffset))
        bytes.store(ROFS.magic, at: ROFS.Super.magic)
        bytes.store(ROFS.version, at: ROFS.Super.version)
        bytes.store(size, at: ROFS.Super.sectionSize)
        bytes.store(UInt32(inodeCount), at: ROFS.Super.inodeCount)
        bytes.store(UInt32(dirents.count), at: ROFS.Super.direntCount)
        bytes.store(inodeOffset, at: ROFS.Super.inodeOffset)
        bytes.store(direntOffset, at: ROFS.Super.direntOffset)
        bytes.store(stringsOffset, at: ROFS.Super.stringsOffset)
        bytes.store(UInt64(strings.bytes.count), at: ROFS.Super.stringsSize)
        bytes.store(dataOffset, at: ROFS.Super.dataOffset)
        bytes.store(dataSize, at: ROFS.Super.dataSize)
        bytes.store(device, at: ROFS.Super.device)
        for (index, old) in order.inodes.enumerated() {
            let inode = tree.inodes[old]
            let base = Int(inodeOffset) + index * ROFS.Inode.size
            var size: UInt64 = 0, offset: UInt64 = 0, parent: UInt32 = 0, nlink = linkCounts[index]
            switch inode.kind {
            case .directory:
                let run = runs[old] ?? (0, 0, 0)
                size = UInt64(run.count)
                offset = UInt64(run.first)
                parent = UInt32(newIndex[inode.parent])
                nlink = 2 + UInt32(run.subdirectories)
            case .regular(let data):
                size = data.size
                offset = fileOffsets[old] ?? dataOffset
            case .symlink(let target):
                size = UInt64(target.count)
                offset = stringsOffset + UInt64(symlinkTargets[old] ?? 0)
            }
            bytes.store(inode.kind.fileType.rawValue, at: base + ROFS.Inode.type)
            bytes.store(inode.metadata.mode & 0o7777, at: base + ROFS.Inode.mode)
            bytes.store(nlink, at: base + ROFS.Inode.nlink)
            bytes.store(size, at: base + ROFS.Inode.size_)
            bytes.store(offset, at: base + ROFS.Inode.offset)
            bytes.store(inode.metadata.accessTime, at: base + ROFS.Inode.atim)
            bytes.store(inode.metadata.modificationTime, at: base + ROFS.Inode.mtim)
            bytes.store(inode.metadata.changeTime, at: base + ROFS.Inode.ctim)
            bytes.store(parent, at: base + ROFS.Inode.parent)
        }
        for (index, dirent) in dirents.enumerated() {
            let base = Int(direntOffset) + index * ROFS.Dirent.size
            bytes.store(dirent.nameOffset, at: base + ROFS.Dirent.nameOffset)
            bytes.store(dirent.nameLength, at: base + ROFS.Dirent.nameLength)
            bytes.store(dirent.inode, at: base + ROFS.Dirent.inode)
        }
        bytes.replaceSubrange(Int(stringsOffset)..<Int(stringsOffset) + strings.bytes.count, with: strings.bytes)

        metadata = bytes
        self.dataOffset = dataOffset
        self.dataSize = dataSize
        self.size = size
        self.files = files
        self.inodeCount = inodeCount
    }

    /// The section, in order: metadata, each file's data, zero padding.
    public var chunks: [Chunk] {
        var chunks: [Chunk] = [.bytes(metadata)]
        for file in files where file.size > 0 {
            switch file {
            case .bytes(let bytes): chunks.append(.bytes(bytes))
            case .external(let size, let source): chunks.append(.external(source: source, size: size))
            }
        }
        let padding = size - dataOffset - dataSize
        if padding > 0 { chunks.append(.zeros(padding)) }
        return chunks
    }

    /// The whole section in memory; `external` supplies each external
    /// file's bytes (tests, and trees small enough to hold).
    public func bytes(external: (Int) -> [UInt8] = { _ in [] }) throws(ROFSError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Int(size))
        for chunk in chunks {
            switch chunk {
            case .bytes(let bytes): result += bytes
            case .zeros(let count): result += repeatElement(0, count: Int(count))
            case .external(let source, let size):
                let bytes = external(source)
                guard UInt64(bytes.count) == size else {
                    throw .externalDataMismatch(source: source, expected: size, got: UInt64(bytes.count))
                }
                result += bytes
            }
        }
        return result
    }

    /// The tree's inodes breadth first from the root, each once, and the
    /// new index of every old one.
    private static func breadthFirst(_ tree: ROFSTree) -> (inodes: [ROFSTree.InodeID], newIndex: [Int]) {
        var newIndex = [Int](repeating: -1, count: tree.inodes.count)
        var inodes = [ROFSTree.root]
        newIndex[ROFSTree.root] = 0
        var next = 0
        while next < inodes.count {
            let directory = inodes[next]
            next += 1
            guard tree.inodes[directory].kind == .directory else { continue }
            for entry in tree.entries(of: directory) where newIndex[entry.inode] < 0 {
                newIndex[entry.inode] = inodes.count
                inodes.append(entry.inode)
            }
        }
        return (inodes, newIndex)
    }
}

/// The strings area: each distinct byte string once.
private struct StringTable {
    var bytes: [UInt8] = []
    var offsets: [[UInt8]: UInt32] = [:]

    mutating func add(_ string: [UInt8]) throws(ROFSError) -> UInt32 {
        if let offset = offsets[string] { return offset }
        let end = UInt64(bytes.count) + UInt64(string.count)
        guard end <= UInt64(UInt32.max) else { throw .stringsTooLarge(end) }
        let offset = UInt32(bytes.count)
        bytes += string
        offsets[string] = offset
        return offset
    }
}

func alignUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
    (value + alignment - 1) / alignment * alignment
}

extension [UInt8] {
    mutating func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeLittleEndian(value, at: offset)
    }
}
