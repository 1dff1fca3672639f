@testable import ImageFormat
import Testing

struct ROFSWriterErrorTests {
    @Test(arguments: [
        ([UInt8](), ROFSError.invalidName("/")),
        (bytes("."), .invalidName("/.")),
        (bytes(".."), .invalidName("/..")),
        (bytes("a/b"), .invalidName("/a/b")),
        ([0x61, 0x00], .invalidName("/a\u{0}")),
        (Array(repeating: UInt8(ascii: "x"), count: 256), .nameTooLong("/" + String(repeating: "x", count: 256), length: 256)),
    ])
    func badNamesAreRefused(name: [UInt8], error: ROFSError) {
        var tree = ROFSTree()
        #expect(throws: error) { try tree.addFile(name, in: ROFSTree.root, data: .bytes([]), metadata: meta(0o644)) }
        #expect(tree.inodes.count == 1)
    }

    @Test func namesThatAreValid() {
        #expect(ROFS.isValidName(bytes("...")))
        #expect(ROFS.isValidName(bytes(".a")))
        #expect(ROFS.isValidName([0xFF]))
        #expect(ROFS.isValidName(Array(repeating: UInt8(ascii: "x"), count: 255)))
    }

    @Test func structuralErrors() throws {
        var tree = ROFSTree()
        let dir = try tree.addDirectory(bytes("d"), in: ROFSTree.root, metadata: meta(0o755))
        let file = try tree.addFile(bytes("f"), in: dir, data: .bytes([1]), metadata: meta(0o644))
        #expect(throws: ROFSError.duplicateName("/d/f")) {
            try tree.addSymlink(bytes("f"), in: dir, target: bytes("x"), metadata: meta(0o777))
        }
        #expect(throws: ROFSError.notADirectory("/d/f")) {
            try tree.addFile(bytes("g"), in: file, data: .bytes([]), metadata: meta(0o644))
        }
        #expect(throws: ROFSError.hardLinkToDirectory("/e")) { try tree.addHardLink(bytes("e"), in: ROFSTree.root, to: dir) }
        #expect(throws: ROFSError.noSuchInode(99)) { try tree.addHardLink(bytes("e"), in: ROFSTree.root, to: 99) }
        #expect(throws: ROFSError.symlinkTargetTooLong("/d/s", length: 4096)) {
            try tree.addSymlink(bytes("s"), in: dir, target: Array(repeating: UInt8(ascii: "x"), count: 4096), metadata: meta(0o777))
        }
        #expect(throws: ROFSError.invalidSymlinkTarget("/d/s")) {
            try tree.addSymlink(bytes("s"), in: dir, target: [], metadata: meta(0o777))
        }
        #expect(throws: ROFSError.invalidSymlinkTarget("/d/s")) {
            try tree.addSymlink(bytes("s"), in: dir, target: [0x61, 0], metadata: meta(0o777))
        }
        #expect(tree.inodes.count == 3)
    }

    @Test func sizeLimitIsTheGuestWindow() throws {
        var tree = ROFSTree()
        try tree.addFile(bytes("huge"), in: ROFSTree.root, data: .external(size: ROFS.maxSize, source: 0), metadata: meta(0o644))
        #expect(throws: ROFSError.tooLarge(ROFS.maxSize + 4096)) { try ROFSLayout(tree) }
        var fits = ROFSTree()
        try fits.addFile(bytes("big"), in: ROFSTree.root, data: .external(size: ROFS.maxSize - 4096, source: 0), metadata: meta(0o644))
        #expect(try ROFSLayout(fits).size == ROFS.maxSize)
    }

    @Test func messagesAreOneLine() {
        let errors: [ROFSError] = [
            .invalidName("/a"), .nameTooLong("/a", length: 300), .tooLarge(1 << 40), .badInode(3, "x"),
            .badArea("y"), .truncatedSuperblock(size: 3), .unsortedDirectory(0), .wrongLinkCount(1, stored: 2, counted: 1),
        ]
        for error in errors { #expect(!error.description.contains("\n") && !error.description.isEmpty) }
    }
}

/// The reader refuses damage with a typed error and never traps, whatever
/// the bytes.
struct ROFSReaderTests {
    /// Reads the blob as the tools do: superblock, then the whole tree.
    func check(_ blob: [UInt8]) -> ROFSError? {
        blob.withUnsafeBytes { buffer -> ROFSError? in
            do throws(ROFSError) {
                _ = try ROFSReader(buffer).tree()
                return nil
            } catch {
                return error
            }
        }
    }

    func edited(_ blob: [UInt8], _ edits: [(Int, UInt64, Int)]) -> [UInt8] {
        var blob = blob
        for (offset, value, size) in edits {
            for index in 0..<size { blob[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
        return blob
    }

    @Test func truncationAtAnyLengthIsAnError() throws {
        let blob = try written(try SampleTrees.mixed())
        for length in stride(from: 0, to: blob.count, by: 97) {
            #expect(check(Array(blob.prefix(length))) != nil)
        }
        #expect(check(Array(blob.prefix(10))) == .truncatedSuperblock(size: 10))
        #expect(check(Array(blob.prefix(4096))) == .sizeMismatch(claimed: UInt64(blob.count), available: 4096))
        // Padding beyond the claimed size is fine (a mapping is whole pages).
        #expect(check(blob + [UInt8](repeating: 0, count: 4096)) == nil)
    }

    /// Flipping any bit of the metadata is either harmless (a timestamp, a
    /// mode bit, a byte of a name that stays valid and sorted) or an error;
    /// it never traps.
    @Test func everyMetadataBitFlipIsSafe() throws {
        let layout = try ROFSLayout(try SampleTrees.mixed())
        let blob = try layout.bytes()
        var errors = 0
        for offset in 0..<layout.metadata.count {
            for bit in [0, 3, 7] {
                var damaged = blob
                damaged[offset] ^= UInt8(1 << bit)
                if check(damaged) != nil { errors += 1 }
            }
        }
        #expect(errors > 0)
    }

    @Test func namedDamage() throws {
        var tree = ROFSTree()
        let d = try tree.addDirectory(bytes("d"), in: ROFSTree.root, metadata: meta(0o755))
        try tree.addFile(bytes("f"), in: d, data: .bytes([1, 2]), metadata: meta(0o644))
        try tree.addFile(bytes("g"), in: d, data: .bytes([3]), metadata: meta(0o644))
        let blob = try written(tree)
        #expect(check(blob) == nil)
        // Inodes: 0 root, 1 d, 2 f, 3 g; entries: 0 "d", 1 "f", 2 "g".
        let inode = { (index: Int, field: Int) in 80 + index * 56 + field }
        let entry = { (index: Int, field: Int) in 80 + 4 * 56 + index * 16 + field }
        let cases: [([(Int, UInt64, Int)], ROFSError)] = [
            ([(0, 0, 4)], .badMagic),
            ([(4, 2, 4)], .unsupportedVersion(2)),
            ([(8, 1 << 20, 8)], .sizeMismatch(claimed: 1 << 20, available: 8192)),
            ([(16, 0, 4)], .badArea("no root inode")),
            ([(56, 4095, 8)], .badArea("data offset 4095 is not 4096-aligned")),
            ([(16, 1000, 4)], .badArea("inode table at 80, 1000 x 56 bytes, is outside the section or overlaps")),
            ([(inode(2, 0), 5, 2)], .badInode(2, "unknown type 5")),
            ([(inode(2, 2), 0o10644, 2)], .badInode(2, "mode 10644 has bits beyond 07777")),
            ([(inode(2, 52), 1, 4)], .badInode(2, "reserved field is not zero")),
            ([(inode(2, 8), 9000, 8)], .badInode(2, "file data at 4096, 9000 bytes, is outside the data area")),
            ([(inode(2, 16), 10, 8)], .badInode(2, "file data at 10, 2 bytes, is outside the data area")),
            ([(inode(1, 8), 4, 8)], .badInode(1, "entries 1 + 4 are outside the entry table")),
            ([(inode(0, 48), 1, 4)], .badInode(0, "the root is not a directory that is its own parent")),
            ([(inode(1, 48), 1, 4)], .badInode(1, "parent 1, but it is in 0")),
            ([(inode(2, 48), 1, 4)], .badInode(2, "parent set on a non-directory")),
            ([(inode(2, 4), 2, 4)], .wrongLinkCount(2, stored: 2, counted: 1)),
            ([(inode(1, 4), 5, 4)], .wrongLinkCount(1, stored: 5, counted: 2)),
            ([(entry(1, 8), 3, 4), (inode(3, 4), 2, 4)], .unreachableInode(2)),
            ([(entry(2, 8), 1, 4)], .inodeLinkedTwice(1)),
            ([(entry(1, 8), 0, 4)], .inodeLinkedTwice(0)),
            ([(entry(1, 8), 4, 4)], .badEntry(1, "names inode 4, which does not exist")),
            ([(entry(1, 4), 0, 4)], .badEntry(1, "name at 1, 0 bytes, is outside the strings area or too long")),
            ([(entry(1, 0), 3, 4)], .badEntry(1, "name at 3, 1 bytes, is outside the strings area or too long")),
            ([(entry(1, 12), 1, 4)], .badEntry(1, "reserved field is not zero")),
            ([(entry(1, 0), 2, 4)], .unsortedDirectory(1)),  // "g", "g"
            ([(entry(1, 0), 2, 4), (entry(2, 0), 1, 4)], .unsortedDirectory(1)),  // "g", "f"
            ([(80 + 4 * 56 + 3 * 16 + 1, UInt64(UInt8(ascii: "/")), 1)], .badEntry(1, "invalid name \"/\"")),
        ]
        for (edits, error) in cases {
            #expect(check(edited(blob, edits)) == error, "edits \(edits)")
        }
    }

    /// Directories whose entry runs overlap would each walk the same entries again (K
    /// directories sharing N entries: K x N work from a file of K + N entries). The walk is
    /// bounded by the entry table and refuses them.
    @Test func overlappingDirectoriesAreRefused() throws {
        var tree = ROFSTree()
        let a = try tree.addDirectory(bytes("a"), in: ROFSTree.root, metadata: meta(0o755))
        let b = try tree.addDirectory(bytes("b"), in: ROFSTree.root, metadata: meta(0o755))
        try tree.addFile(bytes("x"), in: a, data: .bytes([1]), metadata: meta(0o644))
        try tree.addFile(bytes("y"), in: b, data: .bytes([2]), metadata: meta(0o644))
        let blob = try written(tree)
        #expect(check(blob) == nil)
        // (No throwing closure here: this toolchain's SIL generation crashes on a typed-throws
        // closure passed to withUnsafeBytes.)
        let found: (UInt32, UInt32, UInt64)? = blob.withUnsafeBytes { buffer in
            guard let reader = try? ROFSReader(buffer), let top = try? reader.entries(of: ROFS.rootInode),
                  top.count == 2, let record = try? reader.inode(top[0].inode) else { return nil }
            return (top[0].inode, top[1].inode, UInt64(record.offset))
        }
        let (aInode, bInode, aOffset) = try #require(found)
        #expect(aInode != bInode)
        let inode = { (index: UInt32, field: Int) in 80 + Int(index) * 56 + field }
        // b's run becomes a's entry and the one after it: 2 + 1 + 2 entries walked of 4.
        let overlapping = edited(blob, [(inode(bInode, 16), UInt64(aOffset), 8), (inode(bInode, 8), 2, 8)])
        // Whichever of the two is walked second is the one refused.
        let refused = check(overlapping)
        #expect([aInode, bInode].map { ROFSError.badInode($0, "its entries overlap another directory's") }.contains(refused),
                "\(String(describing: refused))")
    }

    @Test func symlinkDamage() throws {
        var tree = ROFSTree()
        try tree.addSymlink(bytes("l"), in: ROFSTree.root, target: bytes("target"), metadata: meta(0o777))
        let blob = try written(tree)
        let inode1 = 80 + 56
        #expect(check(edited(blob, [(inode1 + 8, 0, 8)])) == .badInode(1, "symlink target length 0"))
        #expect(check(edited(blob, [(inode1 + 8, 4096, 8)])) == .badInode(1, "symlink target length 4096"))
        #expect(check(edited(blob, [(inode1 + 8, 7, 8)])) == .badInode(1, "symlink target is outside the strings area"))
        #expect(check(edited(blob, [(inode1 + 16, 0, 8)])) == .badInode(1, "symlink target is outside the strings area"))
    }
}
