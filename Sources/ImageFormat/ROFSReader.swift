/// One inode as stored, after the checks `ROFSReader.inode(_:)` makes.
public struct ROFSInode: Equatable, Sendable {
    public var type: ROFS.FileType
    public var mode: UInt16
    public var nlink: UInt32
    /// Regular: bytes. Directory: entries. Symlink: target length.
    public var size: UInt64
    /// Regular: data offset in the section. Directory: first entry index.
    /// Symlink: target offset in the section.
    public var offset: UInt64
    public var accessTime: UInt64
    public var modificationTime: UInt64
    public var changeTime: UInt64
    /// Directories: the parent directory's inode ("..").
    public var parent: UInt32

    public var metadata: ROFSMetadata {
        ROFSMetadata(mode: mode, accessTime: accessTime, modificationTime: modificationTime, changeTime: changeTime)
    }
}

/// A checking reader of a ROFS section, for tests and tools (the guest has
/// its own, in C). Nothing in the bytes is trusted: every offset, length
/// and index is checked against the section before use, and a bad one is
/// a typed error, never a crash. The reader borrows `bytes`.
public struct ROFSReader {
    public let bytes: UnsafeRawBufferPointer
    public let size: UInt64
    public let inodeCount: UInt32
    public let direntCount: UInt32
    public let inodeOffset: UInt64
    public let direntOffset: UInt64
    public let stringsOffset: UInt64
    public let stringsSize: UInt64
    public let dataOffset: UInt64
    public let dataSize: UInt64
    public let device: UInt64

    /// Checks the superblock and that the areas lie, in order and without
    /// overlapping, inside the `size` it claims, which must not exceed the
    /// bytes given (a mapped section may be padded beyond it).
    public init(_ bytes: UnsafeRawBufferPointer) throws(ROFSError) {
        guard bytes.count >= ROFS.Super.size else { throw .truncatedSuperblock(size: bytes.count) }
        guard bytes.u32(ROFS.Super.magic) == ROFS.magic else { throw .badMagic }
        let version = bytes.u32(ROFS.Super.version)
        guard version == ROFS.version else { throw .unsupportedVersion(version) }
        size = bytes.u64(ROFS.Super.sectionSize)
        guard size <= UInt64(bytes.count) else { throw .sizeMismatch(claimed: size, available: UInt64(bytes.count)) }
        guard size >= UInt64(ROFS.Super.size) else { throw .badArea("size \(size) is smaller than the superblock") }
        inodeCount = bytes.u32(ROFS.Super.inodeCount)
        direntCount = bytes.u32(ROFS.Super.direntCount)
        inodeOffset = bytes.u64(ROFS.Super.inodeOffset)
        direntOffset = bytes.u64(ROFS.Super.direntOffset)
        stringsOffset = bytes.u64(ROFS.Super.stringsOffset)
        stringsSize = bytes.u64(ROFS.Super.stringsSize)
        dataOffset = bytes.u64(ROFS.Super.dataOffset)
        dataSize = bytes.u64(ROFS.Super.dataSize)
        device = bytes.u64(ROFS.Super.device)
        self.bytes = bytes

        guard inodeCount >= 1 else { throw .badArea("no root inode") }
        guard inodeOffset % 8 == 0, direntOffset % 8 == 0 else { throw .badArea("inode or entry table not 8-aligned") }
        guard dataOffset % ROFS.pageSize == 0 else { throw .badArea("data offset \(dataOffset) is not 4096-aligned") }
        // Each area starts at or after the end of the one before it.
        let areas: [(String, UInt64, UInt64, UInt64)] = [
            ("inode table", inodeOffset, UInt64(inodeCount), UInt64(ROFS.Inode.size)),
            ("entry table", direntOffset, UInt64(direntCount), UInt64(ROFS.Dirent.size)),
            ("strings", stringsOffset, stringsSize, 1),
            ("data", dataOffset, dataSize, 1),
        ]
        var end = UInt64(ROFS.Super.size)
        for (name, offset, count, unit) in areas {
            let (length, overflow) = count.multipliedReportingOverflow(by: unit)
            guard !overflow, offset >= end, offset <= size, length <= size - offset else {
                throw .badArea("\(name) at \(offset), \(count) x \(unit) bytes, is outside the section or overlaps")
            }
            end = offset + length
        }
        guard stringsSize <= UInt64(UInt32.max) + 1 else { throw .badArea("strings area larger than 4 GiB") }
    }

    /// Inode `index`, with its own fields checked against the section.
    public func inode(_ index: UInt32) throws(ROFSError) -> ROFSInode {
        guard index < inodeCount else { throw .badInode(index, "no such inode (\(inodeCount) in all)") }
        let base = Int(inodeOffset) + Int(index) * ROFS.Inode.size
        guard let type = ROFS.FileType(rawValue: bytes.u16(base + ROFS.Inode.type)) else {
            throw .badInode(index, "unknown type \(bytes.u16(base + ROFS.Inode.type))")
        }
        let inode = ROFSInode(
            type: type, mode: bytes.u16(base + ROFS.Inode.mode), nlink: bytes.u32(base + ROFS.Inode.nlink),
            size: bytes.u64(base + ROFS.Inode.size_), offset: bytes.u64(base + ROFS.Inode.offset),
            accessTime: bytes.u64(base + ROFS.Inode.atim), modificationTime: bytes.u64(base + ROFS.Inode.mtim),
            changeTime: bytes.u64(base + ROFS.Inode.ctim), parent: bytes.u32(base + ROFS.Inode.parent))
        guard inode.mode & ~0o7777 == 0 else { throw .badInode(index, "mode \(String(inode.mode, radix: 8)) has bits beyond 07777") }
        guard bytes.u32(base + ROFS.Inode.reserved) == 0 else { throw .badInode(index, "reserved field is not zero") }
        switch type {
        case .regular:
            guard inode.offset >= dataOffset, Self.fits(inode.offset - dataOffset, inode.size, in: dataSize) else {
                throw .badInode(index, "file data at \(inode.offset), \(inode.size) bytes, is outside the data area")
            }
        case .directory:
            guard Self.fits(inode.offset, inode.size, in: UInt64(direntCount)) else {
                throw .badInode(index, "entries \(inode.offset) + \(inode.size) are outside the entry table")
            }
            guard inode.parent < inodeCount else { throw .badInode(index, "parent \(inode.parent) does not exist") }
        case .symlink:
            guard inode.size >= 1, inode.size <= UInt64(ROFS.symlinkMax) else {
                throw .badInode(index, "symlink target length \(inode.size)")
            }
            guard inode.offset >= stringsOffset, Self.fits(inode.offset - stringsOffset, inode.size, in: stringsSize) else {
                throw .badInode(index, "symlink target is outside the strings area")
            }
        }
        if type != .directory, inode.parent != 0 { throw .badInode(index, "parent set on a non-directory") }
        if index == ROFS.rootInode, type != .directory || inode.parent != index {
            throw .badInode(index, "the root is not a directory that is its own parent")
        }
        return inode
    }

    /// The entries of directory `inode`, in stored order, each checked.
    public func entries(of directory: UInt32) throws(ROFSError) -> [(name: [UInt8], inode: UInt32)] {
        let record = try inode(directory)
        guard record.type == .directory else { throw .badInode(directory, "not a directory") }
        var result: [(name: [UInt8], inode: UInt32)] = []
        result.reserveCapacity(Int(record.size))
        for index in record.offset..<record.offset + record.size {
            result.append(try entry(UInt32(index)))
        }
        return result
    }

    /// Entry `index` of the entry table: its name (valid, inside the strings
    /// area) and the inode it names (which exists).
    public func entry(_ index: UInt32) throws(ROFSError) -> (name: [UInt8], inode: UInt32) {
        guard index < direntCount else { throw .badEntry(index, "no such entry") }
        let base = Int(direntOffset) + Int(index) * ROFS.Dirent.size
        let nameOffset = UInt64(bytes.u32(base + ROFS.Dirent.nameOffset))
        let nameLength = UInt64(bytes.u32(base + ROFS.Dirent.nameLength))
        let target = bytes.u32(base + ROFS.Dirent.inode)
        guard bytes.u32(base + ROFS.Dirent.reserved) == 0 else { throw .badEntry(index, "reserved field is not zero") }
        guard nameLength >= 1, nameLength <= UInt64(ROFS.nameMax), Self.fits(nameOffset, nameLength, in: stringsSize) else {
            throw .badEntry(index, "name at \(nameOffset), \(nameLength) bytes, is outside the strings area or too long")
        }
        let start = Int(stringsOffset + nameOffset)
        let name = Array(bytes[start..<start + Int(nameLength)])
        guard ROFS.isValidName(name) else { throw .badEntry(index, "invalid name \"\(ROFSError.printable(name))\"") }
        guard target < inodeCount else { throw .badEntry(index, "names inode \(target), which does not exist") }
        return (name, target)
    }

    /// Binary search of one directory, as the guest does it.
    public func lookup(_ name: [UInt8], in directory: UInt32) throws(ROFSError) -> UInt32? {
        let record = try inode(directory)
        guard record.type == .directory else { throw .badInode(directory, "not a directory") }
        var low = record.offset, high = record.offset + record.size
        while low < high {
            let middle = low + (high - low) / 2
            let candidate = try entry(UInt32(middle))
            if candidate.name == name { return candidate.inode }
            if ROFS.namePrecedes(candidate.name, name) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The inode a "/"-separated path names, from the root, following no
    /// symlink.
    public func lookup(path: String) throws(ROFSError) -> UInt32 {
        var current = ROFS.rootInode
        for component in path.utf8.split(separator: UInt8(ascii: "/")) {
            guard let next = try lookup(Array(component), in: current) else { throw .notFound(path) }
            current = next
        }
        return current
    }

    /// A regular file's bytes (a view into the section).
    public func contents(of file: UInt32) throws(ROFSError) -> UnsafeRawBufferPointer {
        let record = try inode(file)
        guard record.type == .regular else { throw .badInode(file, "not a regular file") }
        return UnsafeRawBufferPointer(rebasing: bytes[Int(record.offset)..<Int(record.offset + record.size)])
    }

    public func symlinkTarget(of link: UInt32) throws(ROFSError) -> [UInt8] {
        let record = try inode(link)
        guard record.type == .symlink else { throw .badInode(link, "not a symlink") }
        return Array(bytes[Int(record.offset)..<Int(record.offset + record.size)])
    }

    /// Whether [start, start + length) lies inside [0, limit), without overflow.
    static func fits(_ start: UInt64, _ length: UInt64, in limit: UInt64) -> Bool {
        start <= limit && length <= limit - start
    }
}

extension UnsafeRawBufferPointer {
    func u16(_ offset: Int) -> UInt16 { littleEndian(UInt16.self, at: offset) }
    func u32(_ offset: Int) -> UInt32 { littleEndian(UInt32.self, at: offset) }
    func u64(_ offset: Int) -> UInt64 { littleEndian(UInt64.self, at: offset) }
}
