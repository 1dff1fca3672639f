import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The cache directory as `mewz-runtime cache` sees it: list, prune and verify its entries
/// (the layout is ImageBuilder's). Removing an entry takes its build lock first, so an entry
/// being built now is never removed under its builder; a container already created keeps its
/// images open, so removing them does not hurt it.
public struct ImageCache: Sendable {
    public enum Kind: String, Sendable {
        /// images/: a compiled module (an ELF-only image).
        case compiled
        /// rofs/: a rootfs's read-only filesystem (a ROFS-only image).
        case rootfs
    }

    public struct Entry: Sendable {
        public let kind: Kind
        public let path: String
        /// The hex key the file is named after.
        public let key: String
        public let size: UInt64
        /// Seconds since the epoch: written (mtime) and last used by a create (atime).
        public let created: Int
        public let lastUsed: Int
        /// Why the entry is unusable (the cheap checks of a hit); nil when it would hit.
        public let problem: String?
        public let header: ImageHeader?
    }

    /// A ROFS entry unused for this long goes on `prune`: nothing tells which rootfs trees
    /// still exist.
    public static let unusedROFSAge = 7 * 24 * 60 * 60
    /// Leftovers of interrupted builds (temporary files, build directories, unheld locks)
    /// older than this go on `prune`.
    public static let leftoverAge = 60 * 60

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Every entry, compiled ones first, each group by name.
    public func entries() -> [Entry] {
        [Kind.compiled, .rootfs].flatMap { kind in
            let folder = folder(kind)
            return FileSystem.entries(of: folder).filter(Self.isEntryName).sorted().compactMap { name in
                entry(kind, path: folder + "/" + name)
            }
        }
    }

    func folder(_ kind: Kind) -> String {
        directory + (kind == .compiled ? "/images" : "/rofs")
    }

    /// "<64 hex>.img".
    static func isEntryName(_ name: String) -> Bool {
        name.hasSuffix(".img") && name.utf8.count == 68 && name.utf8.prefix(64).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private func entry(_ kind: Kind, path: String) -> Entry? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let key = String(FileSystem.baseName(path).dropLast(4))
        var header: ImageHeader?
        var problem: String?
        do {
            let file = try ImageFile(opening: path)
            header = file.header
            problem = Self.mismatch(kind, key: key, header: file.header)
        } catch {
            problem = error.description
        }
        return Entry(kind: kind, path: path, key: key, size: UInt64(max(info.st_size, 0)), created: info.st_mtim.tv_sec,
                     lastUsed: max(info.st_atim.tv_sec, info.st_mtim.tv_sec), problem: problem, header: header)
    }

    /// Why a valid image is not what an entry of this kind and key must be.
    static func mismatch(_ kind: Kind, key: String, header: ImageHeader) -> String? {
        switch kind {
        case .compiled:
            guard header.hasELF, !header.hasROFS else { return "not a compiled module" }
            return header.cacheKey.hex == key ? nil : "holds the entry \(header.cacheKey.hex)"
        case .rootfs:
            guard header.hasROFS, !header.hasELF else { return "not a read-only filesystem" }
            return header.rootfsKey.hex == key ? nil : "holds the entry \(header.rootfsKey.hex)"
        }
    }

    /// The full check of one entry: the cheap checks, the content digest and the whole ROFS.
    public func verify(_ entry: Entry) -> String? {
        if let problem = entry.problem { return problem }
        do {
            try MappedImage(path: entry.path).verifyContent()
            return nil
        } catch {
            return error.description
        }
    }

    /// Removes one entry unless it is being built; returns whether it did.
    @discardableResult
    public func remove(_ entry: Entry) -> Bool {
        guard let lock = CacheLock.tryLock(entry.path + ".lock") else { return false }
        defer { lock.release() }
        return unlink(entry.path) == 0
    }

    /// What `prune` removes: with `all`, every entry; otherwise entries no lookup can hit
    /// (unusable ones, compiled ones whose key `currentKey` would not give them, e.g. built by
    /// another guest library or runtime version) and ROFS entries unused for a week.
    public func prunable(all: Bool, now: Int, currentKey: ((SHA256Digest) -> SHA256Digest?)?) -> [Entry] {
        entries().filter { entry in
            if all || entry.problem != nil { return true }
            switch entry.kind {
            case .compiled:
                guard let header = entry.header, let currentKey, let key = currentKey(header.moduleDigest) else { return false }
                return key.hex != entry.key
            case .rootfs:
                return entry.lastUsed < now - Self.unusedROFSAge  // a file time can be anything: not subtracted
            }
        }
    }

    /// Removes what interrupted builds left: temporary files and unheld locks beside the
    /// entries, and build directories, older than `leftoverAge`. Returns the bytes freed.
    public func removeLeftovers(now: Int) -> UInt64 {
        var freed: UInt64 = 0
        for kind in [Kind.compiled, .rootfs] {
            let folder = folder(kind)
            for name in FileSystem.entries(of: folder) where name.contains(".img.tmp-") {
                let entryName = String(name[..<(name.firstRange(of: ".tmp-")?.lowerBound ?? name.endIndex)])
                guard let lock = CacheLock.tryLock(folder + "/" + entryName + ".lock") else { continue }
                freed += removeIfOld(folder + "/" + name, now: now)
                lock.release()
            }
            for name in FileSystem.entries(of: folder) where name.hasSuffix(".img.lock") {
                if let lock = CacheLock.tryLock(folder + "/" + name) { lock.release() }
            }
        }
        for name in FileSystem.entries(of: directory + "/tmp") {
            freed += removeIfOld(directory + "/tmp/" + name, now: now)
        }
        return freed
    }

    private func removeIfOld(_ path: String, now: Int) -> UInt64 {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mtim.tv_sec < now - Self.leftoverAge else { return 0 }
        if info.st_mode & S_IFMT == S_IFDIR {
            FileSystem.removeTree(path)
            return 0
        }
        return unlink(path) == 0 ? UInt64(max(info.st_size, 0)) : 0
    }
}
