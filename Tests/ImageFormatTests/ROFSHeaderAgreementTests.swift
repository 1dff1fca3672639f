import CMewzABI
@testable import ImageFormat
import Testing

/// ImageFormat is pure Swift, so it repeats rofs.h's numbers and struct
/// layouts; these keep the copies honest (rofs.h reaches Swift through
/// CMewzABI, as abi.h does).
struct ROFSHeaderAgreementTests {
    @Test func constantsMatchTheHeader() {
        #expect(ROFS.magic == MEWZ_ROFS_MAGIC)
        #expect(ROFS.version == UInt32(MEWZ_ROFS_VERSION))
        #expect(ROFS.rootInode == MEWZ_ROFS_ROOT_INODE)
        #expect(ROFS.FileType.directory.rawValue == UInt16(MEWZ_ROFS_TYPE_DIRECTORY))
        #expect(ROFS.FileType.regular.rawValue == UInt16(MEWZ_ROFS_TYPE_REGULAR))
        #expect(ROFS.FileType.symlink.rawValue == UInt16(MEWZ_ROFS_TYPE_SYMLINK))
        #expect(ROFS.nameMax == Int(MEWZ_ROFS_NAME_MAX))
        #expect(ROFS.symlinkMax == Int(MEWZ_ROFS_SYMLINK_MAX))
        #expect(ROFS.maxSize == MEWZ_ROFS_MAX_SIZE)
        #expect(ROFS.pageSize == MEWZ_PAGE_SIZE)
    }

    @Test func superblockLayoutMatches() {
        typealias S = mewz_rofs_super
        #expect(MemoryLayout<S>.size == ROFS.Super.size)
        let offsets: [(PartialKeyPath<S>, Int)] = [
            (\S.magic, ROFS.Super.magic), (\S.version, ROFS.Super.version), (\S.size, ROFS.Super.sectionSize),
            (\S.inode_count, ROFS.Super.inodeCount), (\S.dirent_count, ROFS.Super.direntCount),
            (\S.inode_offset, ROFS.Super.inodeOffset), (\S.dirent_offset, ROFS.Super.direntOffset),
            (\S.strings_offset, ROFS.Super.stringsOffset), (\S.strings_size, ROFS.Super.stringsSize),
            (\S.data_offset, ROFS.Super.dataOffset), (\S.data_size, ROFS.Super.dataSize),
            (\S.device, ROFS.Super.device),
        ]
        for (path, offset) in offsets { #expect(MemoryLayout<S>.offset(of: path) == offset) }
    }

    @Test func inodeLayoutMatches() {
        typealias I = mewz_rofs_inode
        #expect(MemoryLayout<I>.size == ROFS.Inode.size)
        let offsets: [(PartialKeyPath<I>, Int)] = [
            (\I.type, ROFS.Inode.type), (\I.mode, ROFS.Inode.mode), (\I.nlink, ROFS.Inode.nlink),
            (\I.size, ROFS.Inode.size_), (\I.offset, ROFS.Inode.offset), (\I.atim, ROFS.Inode.atim),
            (\I.mtim, ROFS.Inode.mtim), (\I.ctim, ROFS.Inode.ctim), (\I.parent, ROFS.Inode.parent),
            (\I._reserved, ROFS.Inode.reserved),
        ]
        for (path, offset) in offsets { #expect(MemoryLayout<I>.offset(of: path) == offset) }
    }

    @Test func direntLayoutMatches() {
        typealias D = mewz_rofs_dirent
        #expect(MemoryLayout<D>.size == ROFS.Dirent.size)
        let offsets: [(PartialKeyPath<D>, Int)] = [
            (\D.name_offset, ROFS.Dirent.nameOffset), (\D.name_len, ROFS.Dirent.nameLength),
            (\D.inode, ROFS.Dirent.inode), (\D._reserved, ROFS.Dirent.reserved),
        ]
        for (path, offset) in offsets { #expect(MemoryLayout<D>.offset(of: path) == offset) }
    }
}
