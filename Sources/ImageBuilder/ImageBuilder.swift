import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds a module's compiled image and a rootfs's ROFS in the
/// content-addressed cache, or builds them (decode, validate, lower to C,
/// clang, ld.lld with the guest library; walk the rootfs and write its
/// ROFS).
///
/// The cache directory holds `images/<key>.img` (compiled ELFs, by the key
/// of module, compiler, guest and flags), `rofs/<key>.img` (ROFS sections,
/// by the key of the rootfs walk) and `tmp/` (builds in progress). Entries
/// are written to a temporary file and renamed into place, so a reader sees
/// a whole entry or none; one builder per key at a time holds
/// `<entry>.lock`, the others wait and reuse what it built. A hit opens the
/// entry and checks its header against the file size and the key (no
/// digest of the contents: `cache verify` does that); an entry that fails
/// is rebuilt, with a warning.
public struct ImageBuilder: Sendable {
    public let configuration: BuildConfiguration

    /// Seconds after which a leftover temporary file or build directory is
    /// taken to belong to a builder that was killed, and removed.
    static let staleAge = 24 * 60 * 60

    public init(configuration: BuildConfiguration) {
        self.configuration = configuration
    }

    var imagesDirectory: String { configuration.cacheDirectory + "/images" }
    var rootfsDirectory: String { configuration.cacheDirectory + "/rofs" }
    var temporaryDirectory: String { configuration.cacheDirectory + "/tmp" }

    /// The compiled image (an ELF-only image file) of this module, from the
    /// cache or built into it.
    public func compiledImage(forModule bytes: [UInt8], name: String, moduleDigest known: SHA256Digest? = nil)
        throws(ImageBuildError) -> ImageFile
    {
        let moduleDigest = known ?? SHA256.hash(bytes)
        let key = try cacheKey(moduleDigest: moduleDigest)
        return try cachedEntry(at: imagePath(forKey: key), name: name,
                               matches: { $0.hasELF && !$0.hasROFS && $0.cacheKey == key }) { path throws(ImageBuildError) in
            try build(bytes, name: name, moduleDigest: moduleDigest, key: key, output: path)
        }
    }

    /// Path of the compiled image for this module in the cache, built on a
    /// miss.
    public func cachedImage(forModule bytes: [UInt8], name: String) throws(ImageBuildError) -> String {
        try compiledImage(forModule: bytes, name: name).path
    }

    /// Builds a compiled image to an explicit output path, whatever the
    /// cache holds.
    public func buildImage(forModule bytes: [UInt8], name: String, output: String) throws(ImageBuildError) {
        let moduleDigest = SHA256.hash(bytes)
        try build(bytes, name: name, moduleDigest: moduleDigest, key: try cacheKey(moduleDigest: moduleDigest), output: output)
    }

    /// The key an image of a module with this digest is cached under.
    public func cacheKey(moduleDigest: SHA256Digest) throws(ImageBuildError) -> SHA256Digest {
        Self.cacheKey(
            moduleDigest: moduleDigest,
            guestDigest: try GuestLibrary(directory: configuration.guestDirectory).digest(
                stamp: GuestDigestStamp(cacheDirectory: configuration.cacheDirectory,
                                        guestDirectory: configuration.guestDirectory)),
            compileFlags: Self.compileFlags(for: configuration.cpuTarget))
    }

    public func imagePath(forKey key: SHA256Digest) -> String {
        imagesDirectory + "/" + key.hex + ".img"
    }

    public func rootfsPath(forKey key: SHA256Digest) -> String {
        rootfsDirectory + "/" + key.hex + ".img"
    }

    /// The entry at `path` if it is whole and `matches`; else built by
    /// `build` (writing `path` atomically) under the entry's lock, after
    /// looking again once the lock is held (another process may have built
    /// it meanwhile).
    func cachedEntry(at path: String, name: String, matches: (ImageHeader) -> Bool,
                     build: (String) throws(ImageBuildError) -> Void) throws(ImageBuildError) -> ImageFile {
        if let hit = try? ImageFile(opening: path), matches(hit.header) {
            hit.markUsed()
            return hit
        }
        let directory = FileSystem.directoryName(path)
        try FileSystem.makeDirectories(directory)
        let lock = try CacheLock(path + ".lock") { report("waiting for another build of \(name)") }
        defer { lock.release() }
        if FileSystem.exists(path) {
            do {
                let file = try ImageFile(opening: path)
                if matches(file.header) { return file }
                report("warning: cache entry \(path) does not hold what its name says; rebuilding it")
            } catch {
                report("warning: cache entry \(path) is corrupt (\(error)); rebuilding it")
            }
        }
        FileSystem.removeStaleEntries(in: directory, olderThan: Self.staleAge) { $0.contains(".img.tmp-") }
        try build(path)
        let built = try ImageFile(opening: path)
        guard matches(built.header) else { throw .cache("\(path) was built but does not hold the entry it should") }
        return built
    }

    func report(_ message: String) {
        configuration.progress?("mewz-runtime: " + message)
    }
}
