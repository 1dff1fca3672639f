/// Why a tree cannot be written as a ROFS, or why bytes are not a valid one.
/// Every message is one line; paths are inside the ROFS.
public enum ROFSError: Error, Equatable, Sendable, CustomStringConvertible {
    // Building and writing a tree.
    case invalidName(String)
    case nameTooLong(String, length: Int)
    case duplicateName(String)
    case notADirectory(String)
    case noSuchInode(Int)
    case hardLinkToDirectory(String)
    case symlinkTargetTooLong(String, length: Int)
    case invalidSymlinkTarget(String)
    case tooManyInodes(Int)
    case tooManyEntries(Int)
    case stringsTooLarge(UInt64)
    case tooLarge(UInt64)
    case externalDataMismatch(source: Int, expected: UInt64, got: UInt64)

    // Reading one.
    case truncatedSuperblock(size: Int)
    case badMagic
    case unsupportedVersion(UInt32)
    case sizeMismatch(claimed: UInt64, available: UInt64)
    case badArea(String)
    case badInode(UInt32, String)
    case badEntry(UInt32, String)
    case unsortedDirectory(UInt32)
    case inodeLinkedTwice(UInt32)
    case unreachableInode(UInt32)
    case wrongLinkCount(UInt32, stored: UInt32, counted: UInt32)
    case notFound(String)

    public var description: String {
        switch self {
        case .invalidName(let path):
            "\(path): not a valid file name (empty, \".\", \"..\", or holds \"/\" or NUL)"
        case .nameTooLong(let path, let length):
            "\(path): name of \(length) bytes is longer than \(ROFS.nameMax)"
        case .duplicateName(let path):
            "\(path): name already exists in its directory"
        case .notADirectory(let path):
            "\(path): not a directory"
        case .noSuchInode(let inode):
            "no inode \(inode) in the tree"
        case .hardLinkToDirectory(let path):
            "\(path): a hard link may not name a directory"
        case .symlinkTargetTooLong(let path, let length):
            "\(path): symlink target of \(length) bytes is longer than \(ROFS.symlinkMax)"
        case .invalidSymlinkTarget(let path):
            "\(path): symlink target is empty or holds NUL"
        case .tooManyInodes(let count):
            "\(count) inodes do not fit a read-only filesystem (at most \(UInt32.max))"
        case .tooManyEntries(let count):
            "\(count) directory entries do not fit a read-only filesystem (at most \(UInt32.max))"
        case .stringsTooLarge(let size):
            "names and symlink targets take \(size) bytes, more than a read-only filesystem holds (\(UInt32.max))"
        case .tooLarge(let size):
            "read-only filesystem of \(size) bytes is larger than the \(ROFS.maxSize >> 30) GiB the guest can map"
        case .externalDataMismatch(let source, let expected, let got):
            "file data \(source): expected \(expected) bytes, got \(got)"
        case .truncatedSuperblock(let size):
            "read-only filesystem truncated: \(size) bytes, its superblock needs \(ROFS.Super.size)"
        case .badMagic:
            "not a read-only filesystem (bad magic)"
        case .unsupportedVersion(let version):
            "read-only filesystem version \(version) is not supported (expected \(ROFS.version))"
        case .sizeMismatch(let claimed, let available):
            "read-only filesystem claims \(claimed) bytes, \(available) are there"
        case .badArea(let reason):
            "read-only filesystem is corrupt: \(reason)"
        case .badInode(let inode, let reason):
            "read-only filesystem is corrupt: inode \(inode): \(reason)"
        case .badEntry(let entry, let reason):
            "read-only filesystem is corrupt: directory entry \(entry): \(reason)"
        case .unsortedDirectory(let inode):
            "read-only filesystem is corrupt: directory inode \(inode): entries not sorted or duplicated"
        case .inodeLinkedTwice(let inode):
            "read-only filesystem is corrupt: directory inode \(inode) has more than one entry naming it"
        case .unreachableInode(let inode):
            "read-only filesystem is corrupt: inode \(inode) is in no directory"
        case .wrongLinkCount(let inode, let stored, let counted):
            "read-only filesystem is corrupt: inode \(inode): nlink \(stored), \(counted) links counted"
        case .notFound(let path):
            "\(path): no such file or directory in the read-only filesystem"
        }
    }

    /// A name as text for a message: UTF-8 where it is, U+FFFD elsewhere.
    static func printable(_ name: [UInt8]) -> String {
        String(decoding: name, as: UTF8.self)
    }
}
