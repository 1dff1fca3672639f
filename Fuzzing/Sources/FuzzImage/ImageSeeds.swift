import ImageFormat

/// Small valid images and ROFS sections for the corpus: files, directories,
/// symlinks, hard links, an ELF-carrying image and a ROFS-only one.
enum ImageSeeds {
    static func all() -> [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = []
        for (name, tree) in trees() {
            guard let rofs = try? ROFSLayout(tree).bytes() else { continue }
            seeds.append(("rofs-\(name)", rofs))
            let key = SHA256.hash(Array(name.utf8))
            seeds.append(("image-rofs-only-\(name)", ImageWriter.image(header: .rofsOnly(rootfsKey: key), elf: [], rofs: rofs)))
            var header = ImageHeader(requiredCPUFeatures: .x86_64_v2, memoryMinPages: 1, memoryMaxPages: 2,
                                     moduleDigest: SHA256.hash(Array("module".utf8)), cacheKey: key)
            header.rootfsKey = key
            let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1] + Array(repeating: 0, count: 57)
            seeds.append(("image-\(name)", ImageWriter.image(header: header, elf: elf, rofs: rofs)))
        }
        return seeds
    }

    private static func trees() -> [(String, ROFSTree)] {
        let file = ROFSMetadata(mode: 0o644, accessTime: 1, modificationTime: 2, changeTime: 3)
        let directory = ROFSMetadata(mode: 0o755)
        var small = ROFSTree()
        _ = try? small.addFile(Array("hello.wasm".utf8), in: ROFSTree.root, data: .bytes([0, 0x61, 0x73, 0x6D, 1, 0, 0, 0]), metadata: file)
        var mixed = ROFSTree()
        if let etc = try? mixed.addDirectory(Array("etc".utf8), in: ROFSTree.root, metadata: directory),
           let deep = try? mixed.addDirectory(Array("deep".utf8), in: etc, metadata: directory),
           let hosts = try? mixed.addFile(Array("hosts".utf8), in: etc, data: .bytes(Array("127.0.0.1 localhost\n".utf8)), metadata: file) {
            _ = try? mixed.addFile(Array("big".utf8), in: deep, data: .bytes((0..<5000).map { UInt8(truncatingIfNeeded: $0) }), metadata: file)
            _ = try? mixed.addHardLink(Array("hosts-again".utf8), in: ROFSTree.root, to: hosts)
            _ = try? mixed.addSymlink(Array("up".utf8), in: deep, target: Array("../hosts".utf8), metadata: ROFSMetadata(mode: 0o777))
            _ = try? mixed.addSymlink(Array("loop".utf8), in: ROFSTree.root, target: Array("loop".utf8), metadata: ROFSMetadata(mode: 0o777))
            _ = try? mixed.addFile([0xFF, 0x01], in: ROFSTree.root, data: .bytes([]), metadata: file)
        }
        return [("empty", ROFSTree()), ("small", small), ("mixed", mixed)]
    }
}
