/// The numbers of Guest/include/mewz/rofs.h, the read-only filesystem's byte
/// layout. ImageFormat stays pure Swift, so they are repeated here;
/// ImageFormatTests checks them against the header (values, struct sizes
/// and field offsets).
public enum ROFS {
    public static let magic: UInt32 = 0x5346_4F52  // "ROFS"
    public static let version: UInt32 = 1
    /// Inode 0 is the root directory "/".
    public static let rootInode: UInt32 = 0
    /// Longest name of one directory entry, and longest symlink target.
    public static let nameMax = 255
    public static let symlinkMax = 4095
    /// MEWZ_ROFS_MAX_SIZE of abi.h: the guest window the section is mapped into.
    public static let maxSize: UInt64 = 0x10_0000_0000
    /// The data area starts on this boundary; the writer also pads the
    /// section to it, so the section is a whole number of pages.
    public static let pageSize: UInt64 = 4096

    /// The `device` the writer puts in the superblock unless told otherwise
    /// ("mewzrofs"): the filestat dev of every inode.
    public static let defaultDevice: UInt64 = 0x7366_6F72_7A77_656D

    /// Inode types: the WASI preview1 filetype values.
    public enum FileType: UInt16, Sendable, CustomStringConvertible {
        case directory = 3
        case regular = 4
        case symlink = 7

        public var description: String {
            switch self {
            case .directory: "directory"
            case .regular: "regular file"
            case .symlink: "symlink"
            }
        }
    }

    /// struct mewz_rofs_super.
    enum Super {
        static let size = 80
        static let magic = 0, version = 4, sectionSize = 8, inodeCount = 16, direntCount = 20
        static let inodeOffset = 24, direntOffset = 32, stringsOffset = 40, stringsSize = 48
        static let dataOffset = 56, dataSize = 64, device = 72
    }

    /// struct mewz_rofs_inode.
    enum Inode {
        static let size = 56
        static let type = 0, mode = 2, nlink = 4, size_ = 8, offset = 16
        static let atim = 24, mtim = 32, ctim = 40, parent = 48, reserved = 52
    }

    /// struct mewz_rofs_dirent.
    enum Dirent {
        static let size = 16
        static let nameOffset = 0, nameLength = 4, inode = 8, reserved = 12
    }

    /// Whether `name` may be one directory entry's name: 1 ... nameMax bytes,
    /// not "." or "..", no "/" and no NUL.
    public static func isValidName(_ name: some Collection<UInt8>) -> Bool {
        guard !name.isEmpty, name.count <= nameMax else { return false }
        if name.count <= 2, name.allSatisfy({ $0 == UInt8(ascii: ".") }) { return false }
        return !name.contains(UInt8(ascii: "/")) && !name.contains(0)
    }

    /// Entries of a directory are sorted bytewise, a prefix first (memcmp,
    /// then length): the order the guest's binary search assumes.
    public static func namePrecedes(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
