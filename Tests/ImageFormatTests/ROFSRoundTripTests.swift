import ImageFormat
import Testing

func written(_ tree: ROFSTree) throws -> [UInt8] {
    try ROFSLayout(tree).bytes()
}

func readTree(_ blob: [UInt8]) throws -> ROFSTree {
    try blob.withUnsafeBytes { try ROFSReader($0).tree() }
}

struct ROFSRoundTripTests {
    @Test(arguments: SampleTrees.names)
    func writeThenReadGivesTheSameTree(name: String) throws {
        let tree = try SampleTrees.named(name)
        let blob = try written(tree)
        #expect(UInt64(blob.count) % ROFS.pageSize == 0)
        let read = try readTree(blob)
        #expect(read.listing() == tree.listing())
        // Written again, the tree read back gives the same bytes: the
        // layout depends only on the tree's meaning.
        #expect(try written(read) == blob)
    }

    @Test func layoutFollowsTheHeader() throws {
        let tree = try SampleTrees.mixed()
        let layout = try ROFSLayout(tree)
        let blob = try layout.bytes()
        try blob.withUnsafeBytes { buffer in
            let reader = try ROFSReader(buffer)
            #expect(reader.size == UInt64(blob.count))
            #expect(reader.dataOffset % 4096 == 0)
            #expect(reader.dataOffset == layout.dataOffset)
            #expect(reader.device == ROFS.defaultDevice)
            // The hard-linked file's 10000 bytes are stored once.
            let siteFiles: UInt64 = 3 * (0 + 1 + 2 + 3 + 4 + 5 + 6) + 3
            #expect(reader.dataSize == 10_000 + siteFiles + 20)
            let root = try reader.inode(ROFS.rootInode)
            #expect(root.type == .directory && root.parent == 0)
            #expect(root.nlink == 4)  // 2 + etc + site
            let big = try reader.lookup(path: "/site/deep/big.bin")
            #expect(try reader.lookup(path: "/etc/big-link") == big)
            #expect(try reader.lookup(path: "/site/big-again") == big)
            #expect(try reader.inode(big).nlink == 3)
            #expect(try reader.inode(big).mode == 0o4755)
            let up = try reader.lookup(path: "/site/deep/up")
            #expect(try reader.symlinkTarget(of: up) == bytes("../../etc/hosts"))
            #expect(try reader.inode(up).nlink == 2)
            let deep = try reader.lookup(path: "/site/deep")
            #expect(try reader.inode(deep).parent == reader.lookup(path: "/site"))
            #expect(try reader.inode(deep).nlink == 3)  // 2 + empty
            #expect(try reader.lookup(bytes("missing"), in: deep) == nil)
            #expect(throws: ROFSError.notFound("/site/nope")) { try reader.lookup(path: "/site/nope") }
            // Runs are sorted bytewise, a prefix first.
            let names = try reader.entries(of: reader.lookup(path: "/site")).map(\.name)
            #expect(names == names.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(names.prefix(4) == [bytes("B"), bytes("a"), bytes("a.b"), bytes("ab")])
            // Breadth first: the root's entries have the first inodes.
            #expect(try reader.entries(of: ROFS.rootInode).map(\.inode).max() == 5)
        }
    }

    /// Every field of a two-entry filesystem, decoded here by hand at the
    /// offsets rofs.h gives, so the format cannot drift with the reader.
    @Test func bytesOfASmallFilesystem() throws {
        var tree = ROFSTree(rootMetadata: meta(0o755, 1))
        try tree.addFile(bytes("a"), in: ROFSTree.root, data: .bytes(bytes("hi")), metadata: meta(0o640, 2))
        try tree.addSymlink(bytes("l"), in: ROFSTree.root, target: bytes("a"), metadata: meta(0o777, 3))
        let blob = try ROFSLayout(tree, device: 0x1234).bytes()
        func uint(_ offset: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { $0 | UInt64(blob[offset + $1]) << (8 * UInt64($1)) }
        }
        #expect(blob.count == 8192)
        #expect(uint(0, 4) == 0x5346_4F52)  // "ROFS"
        #expect(Array(blob[0..<4]) == bytes("ROFS"))
        #expect(uint(4, 4) == 1)
        #expect(uint(8, 8) == 8192)
        #expect(uint(16, 4) == 3)  // inodes
        #expect(uint(20, 4) == 2)  // entries
        #expect(uint(24, 8) == 80)  // inode table right after the superblock
        #expect(uint(32, 8) == 80 + 3 * 56)
        #expect(uint(40, 8) == 80 + 3 * 56 + 2 * 16)  // strings
        #expect(uint(48, 8) == 2)  // "a" and "l"; the target "a" is shared
        #expect(uint(56, 8) == 4096)
        #expect(uint(64, 8) == 2)
        #expect(uint(72, 8) == 0x1234)
        let strings = 80 + 3 * 56 + 2 * 16
        #expect(Array(blob[strings..<strings + 2]) == bytes("al"))
        // Inode 0: the root.
        #expect(uint(80, 2) == 3 && uint(82, 2) == 0o755 && uint(84, 4) == 2)
        #expect(uint(88, 8) == 2 && uint(96, 8) == 0)  // two entries from index 0
        #expect(uint(104, 8) == meta(0o755, 1).accessTime && uint(112, 8) == meta(0o755, 1).modificationTime)
        #expect(uint(120, 8) == meta(0o755, 1).changeTime && uint(128, 4) == 0 && uint(132, 4) == 0)
        // Inode 1: "a", the data at 4096.
        #expect(uint(136, 2) == 4 && uint(138, 2) == 0o640 && uint(140, 4) == 1)
        #expect(uint(144, 8) == 2 && uint(152, 8) == 4096 && uint(184, 4) == 0)
        // Inode 2: "l" -> "a", the target in the strings area.
        #expect(uint(192, 2) == 7 && uint(194, 2) == 0o777 && uint(196, 4) == 1)
        #expect(uint(200, 8) == 1 && uint(208, 8) == UInt64(strings))
        // Entries: "a" -> 1, "l" -> 2.
        let entries = 80 + 3 * 56
        #expect(uint(entries, 4) == 0 && uint(entries + 4, 4) == 1 && uint(entries + 8, 4) == 1 && uint(entries + 12, 4) == 0)
        #expect(uint(entries + 16, 4) == 1 && uint(entries + 20, 4) == 1 && uint(entries + 24, 4) == 2)
        #expect(Array(blob[4096..<4098]) == bytes("hi"))
        #expect(blob[4098...].allSatisfy { $0 == 0 })
        #expect(blob[(strings + 2)..<4096].allSatisfy { $0 == 0 })
    }

    /// File data can come from the caller, in order, without the whole
    /// filesystem in memory.
    @Test func externalDataIsStreamedInOrder() throws {
        var tree = ROFSTree()
        let sub = try tree.addDirectory(bytes("sub"), in: ROFSTree.root, metadata: meta(0o755))
        try tree.addFile(bytes("z"), in: ROFSTree.root, data: .external(size: 5000, source: 1), metadata: meta(0o644))
        try tree.addFile(bytes("a"), in: sub, data: .external(size: 3, source: 2), metadata: meta(0o644))
        try tree.addFile(bytes("empty"), in: sub, data: .external(size: 0, source: 3), metadata: meta(0o644))
        let layout = try ROFSLayout(tree)
        let chunks = layout.chunks
        #expect(chunks.count == 4)
        #expect(chunks[1] == .external(source: 1, size: 5000))  // the root's file first: breadth first
        #expect(chunks[2] == .external(source: 2, size: 3))
        #expect(chunks[3] == .zeros(layout.size - layout.dataOffset - 5003))
        let sources: [Int: [UInt8]] = [1: Array(repeating: 9, count: 5000), 2: [1, 2, 3], 3: []]
        let blob = try layout.bytes { sources[$0] ?? [] }
        try blob.withUnsafeBytes { buffer in
            let reader = try ROFSReader(buffer)
            #expect(Array(try reader.contents(of: reader.lookup(path: "/z"))) == sources[1])
            #expect(Array(try reader.contents(of: reader.lookup(path: "/sub/a"))) == [1, 2, 3])
            #expect(try reader.contents(of: reader.lookup(path: "/sub/empty")).isEmpty)
        }
        #expect(throws: ROFSError.externalDataMismatch(source: 2, expected: 3, got: 0)) {
            try layout.bytes { $0 == 1 ? sources[1] ?? [] : [] }
        }
    }
}
