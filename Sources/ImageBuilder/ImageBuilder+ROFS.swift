import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ImageBuilder {
    /// The ROFS of a walked rootfs (a ROFS-only image file), from the cache
    /// or written into it. A walk that is not cacheable (a file changed
    /// within `RootfsWalk.defaultRacyMargin` of it) gets a one-off file, unlinked
    /// as soon as it is open.
    public func rootfsImage(for walk: RootfsWalk) throws(ImageBuildError) -> ImageFile {
        if walk.isCacheable {
            return try cachedEntry(at: rootfsPath(forKey: walk.key), name: "the rootfs " + walk.root,
                                   matches: { $0.hasROFS && !$0.hasELF && $0.rootfsKey == walk.key }) { path throws(ImageBuildError) in
                try writeROFSImage(walk, to: path)
            }
        }
        try FileSystem.makeDirectories(temporaryDirectory)
        var generator = SystemRandomNumberGenerator()
        let path = temporaryDirectory + "/rofs-" + String(generator.next() as UInt64, radix: 36) + ".img"
        try writeROFSImage(walk, to: path)
        defer { unlink(path) }
        return try ImageFile(opening: path)
    }

    /// Writes the ROFS of `walk` as a ROFS-only image file at `path`.
    func writeROFSImage(_ walk: RootfsWalk, to path: String) throws(ImageBuildError) {
        let clock = ContinuousClock()
        let start = clock.now
        let layout = try walk.layout()
        report("packing the rootfs \(walk.root) (\(walk.fileCount) file\(walk.fileCount == 1 ? "" : "s"), \(Self.megabytes(walk.dataBytes)))")
        let writer = try ImageFileWriter(path: path)
        try walk.write(layout, to: writer)
        var header = ImageHeader.rofsOnly(rootfsKey: walk.key)
        header.rofs = ImageWriter.layout(elfSize: 0, rofsSize: layout.size).rofs
        try writer.finish(header: header)
        report("packed the rootfs in \(Self.seconds(clock.now - start))")
    }

    /// Writes one self-contained image to `output`: the ELF of `compiled`
    /// and, when `walk` is given, the ROFS of that rootfs (what `mewz-runtime
    /// build` writes and `create` can map directly).
    @discardableResult
    public func writeImage(compiled: ImageFile, rootfs walk: RootfsWalk?, to output: String) throws(ImageBuildError) -> ImageHeader {
        guard compiled.header.hasELF else { throw .invalidImage(compiled.path, .missingELF) }
        let layout = try walk?.layout()
        let placement = ImageWriter.layout(elfSize: compiled.header.elf.size, rofsSize: layout?.size ?? 0)
        let writer = try ImageFileWriter(path: output)
        guard lseek(compiled.fd, off_t(compiled.header.elf.offset), SEEK_SET) >= 0 else {
            throw .io("seek in", compiled.path, errno: errno)
        }
        guard try writer.append(from: compiled.fd, count: compiled.header.elf.size, path: compiled.path) else {
            throw .invalidImage(compiled.path, .truncatedSection(.elf, end: compiled.header.elf.end, fileSize: compiled.size))
        }
        if let walk, let layout {
            try writer.appendZeros(placement.rofs.offset - writer.fileOffset)
            report("packing the rootfs \(walk.root) (\(walk.fileCount) file\(walk.fileCount == 1 ? "" : "s"), \(Self.megabytes(walk.dataBytes)))")
            try walk.write(layout, to: writer)
        }
        var header = compiled.header
        header.elf = placement.elf
        header.rofs = placement.rofs
        // A key read from a tree that was still changing could match it later with other
        // bytes: such an image is written without one, and create never takes it for its rootfs.
        header.rootfsKey = walk.flatMap { $0.isCacheable ? $0.key : nil } ?? .zero
        if let walk, !walk.isCacheable {
            report("warning: \(walk.root) kept changing while it was packed; create will not use this image for it")
        }
        return try writer.finish(header: header)
    }

    /// What a bundle's prebuilt image is to a create.
    public enum Prebuilt {
        /// None at the path.
        case absent
        /// A whole image of this module and rootfs for this runtime's guest ABI.
        case usable(ImageFile)
        /// A whole image, of another module or rootfs (or of one changed since): why.
        case stale(String)
    }

    /// The image at `path`, checked against the module and rootfs; an image that fails its
    /// header checks (truncated, damaged, another format or guest ABI) is an error, not
    /// something to build around silently.
    public static func prebuiltImage(at path: String, moduleDigest: SHA256Digest, rootfsKey: SHA256Digest)
        throws(ImageBuildError) -> Prebuilt
    {
        guard FileSystem.exists(path) else { return .absent }
        let image: ImageFile
        do {
            image = try ImageFile(opening: path)
        } catch {
            throw .badPrebuiltImage(error)
        }
        guard image.header.hasELF else { throw .badPrebuiltImage(.invalidImage(path, .missingELF)) }
        guard image.header.moduleDigest == moduleDigest else { return .stale("it was built from another module") }
        guard image.header.rootfsKey == rootfsKey, image.header.hasROFS else {
            return .stale("it was built from another rootfs, or the rootfs has changed since")
        }
        return .usable(image)
    }

    /// "1.2 MB".
    static func megabytes(_ bytes: UInt64) -> String {
        let tenths = bytes / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
