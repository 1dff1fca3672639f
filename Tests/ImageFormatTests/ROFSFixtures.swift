import ImageFormat

/// Metadata that differs per use, so a mix-up between inodes shows.
func meta(_ mode: UInt16, _ seed: UInt64 = 1) -> ROFSMetadata {
    ROFSMetadata(mode: mode, accessTime: 1_700_000_000_000_000_000 + seed,
                 modificationTime: 1_600_000_000_000_000_000 + seed * 7, changeTime: 1_650_000_000_000_000_000 + seed * 13)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Named trees for round trips, each built only through the public API.
enum SampleTrees {
    static func empty() throws -> ROFSTree { ROFSTree(rootMetadata: meta(0o755)) }

    static func oneFile() throws -> ROFSTree {
        var tree = ROFSTree(rootMetadata: meta(0o755))
        try tree.addFile(bytes("hello.wasm"), in: ROFSTree.root, data: .bytes(bytes("\0asm\u{1}\0\0\0")), metadata: meta(0o644, 2))
        return tree
    }

    /// Directories, names in awkward orders, empty and multi-page files,
    /// relative and absolute symlinks, hard links (also to a symlink),
    /// names shared between directories, non-UTF-8 names.
    static func mixed() throws -> ROFSTree {
        var tree = ROFSTree(rootMetadata: meta(0o755))
        let etc = try tree.addDirectory(bytes("etc"), in: ROFSTree.root, metadata: meta(0o755, 3))
        let site = try tree.addDirectory(bytes("site"), in: ROFSTree.root, metadata: meta(0o750, 4))
        let deep = try tree.addDirectory(bytes("deep"), in: site, metadata: meta(0o700, 5))
        _ = try tree.addDirectory(bytes("empty"), in: deep, metadata: meta(0o555, 6))
        for (index, name) in ["b", "a.b", "ab", "a", "B", "\u{e9}t\u{e9}", "zz"].enumerated() {
            try tree.addFile(bytes(name), in: site, data: .bytes(Array(repeating: UInt8(index), count: index * 3)),
                             metadata: meta(0o644, UInt64(10 + index)))
        }
        try tree.addFile([0xFF, 0x01], in: site, data: .bytes([1, 2, 3]), metadata: meta(0o600, 20))
        let big = try tree.addFile(bytes("big.bin"), in: deep,
                                   data: .bytes((0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 31) }), metadata: meta(0o4755, 21))
        try tree.addHardLink(bytes("big-link"), in: etc, to: big)
        try tree.addHardLink(bytes("big-again"), in: site, to: big)
        try tree.addFile(bytes("hosts"), in: etc, data: .bytes(bytes("127.0.0.1 localhost\n")), metadata: meta(0o644, 22))
        let link = try tree.addSymlink(bytes("up"), in: deep, target: bytes("../../etc/hosts"), metadata: meta(0o777, 23))
        try tree.addHardLink(bytes("up-again"), in: ROFSTree.root, to: link)
        try tree.addSymlink(bytes("abs"), in: ROFSTree.root, target: bytes("/site/deep/big.bin"), metadata: meta(0o777, 24))
        try tree.addSymlink(bytes("loop"), in: ROFSTree.root, target: bytes("loop"), metadata: meta(0o777, 25))
        try tree.addFile(bytes("hosts"), in: site, data: .bytes([]), metadata: meta(0o444, 26))
        return tree
    }

    /// A wide directory and a deep chain.
    static func wideAndDeep() throws -> ROFSTree {
        var tree = ROFSTree(rootMetadata: meta(0o755))
        let wide = try tree.addDirectory(bytes("wide"), in: ROFSTree.root, metadata: meta(0o755, 2))
        for index in (0..<600).reversed() {
            try tree.addFile(bytes("f\(index)"), in: wide, data: .bytes(bytes("\(index)")), metadata: meta(0o644, UInt64(index)))
        }
        var directory = ROFSTree.root
        for level in 0..<40 {
            directory = try tree.addDirectory(bytes("d\(level)"), in: directory, metadata: meta(0o711, UInt64(level)))
        }
        try tree.addFile(Array(repeating: UInt8(ascii: "n"), count: 255), in: directory, data: .bytes([7]), metadata: meta(0o644))
        try tree.addSymlink(bytes("long"), in: directory, target: Array(repeating: UInt8(ascii: "x"), count: 4095), metadata: meta(0o777))
        return tree
    }

    static let names = ["empty", "one file", "mixed", "wide and deep"]

    static func named(_ name: String) throws -> ROFSTree {
        switch name {
        case "one file": try oneFile()
        case "mixed": try mixed()
        case "wide and deep": try wideAndDeep()
        default: try empty()
        }
    }
}
