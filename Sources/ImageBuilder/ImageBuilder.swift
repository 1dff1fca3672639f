import ImageFormat

/// Finds a module's image in the content-addressed cache, or builds it:
/// decode, validate, lower to C, compile with clang, link with ld.lld and
/// the guest library, wrap in an image file.
public struct ImageBuilder: Sendable {
    public let configuration: BuildConfiguration

    /// Seconds after which a leftover temporary file or build directory is
    /// taken to belong to a builder that was killed, and removed.
    static let staleAge = 24 * 60 * 60

    public init(configuration: BuildConfiguration) {
        self.configuration = configuration
    }

    /// Path of the image for this module in the content-addressed cache
    /// (`<cache>/images/<key>.img`); builds it on a miss. A hit reads one
    /// header and looks for no tool.
    public func cachedImage(forModule bytes: [UInt8], name: String) throws(ImageBuildError) -> String {
        let moduleDigest = SHA256.hash(bytes)
        let key = try cacheKey(moduleDigest: moduleDigest)
        let path = imagePath(forKey: key)
        if Self.isImage(at: path, withKey: key) { return path }
        let images = configuration.cacheDirectory + "/images"
        try FileSystem.makeDirectories(images)
        FileSystem.removeStaleEntries(in: images, olderThan: Self.staleAge) { $0.contains(".img.tmp-") }
        try build(bytes, name: name, moduleDigest: moduleDigest, key: key, output: path)
        return path
    }

    /// Builds an image to an explicit output path (for `mewz-runtime build`),
    /// whatever the cache holds.
    public func buildImage(forModule bytes: [UInt8], name: String, output: String) throws(ImageBuildError) {
        let moduleDigest = SHA256.hash(bytes)
        try build(bytes, name: name, moduleDigest: moduleDigest, key: try cacheKey(moduleDigest: moduleDigest), output: output)
    }

    /// The key an image of a module with this digest is cached under.
    public func cacheKey(moduleDigest: SHA256Digest) throws(ImageBuildError) -> SHA256Digest {
        Self.cacheKey(
            moduleDigest: moduleDigest,
            guestDigest: try GuestLibrary(directory: configuration.guestDirectory).digest(),
            compileFlags: Self.compileFlags(for: configuration.cpuTarget))
    }

    public func imagePath(forKey key: SHA256Digest) -> String {
        configuration.cacheDirectory + "/images/" + key.hex + ".img"
    }

    /// A cached image counts only if its header is whole and valid and
    /// names the same key; anything else is rebuilt over.
    static func isImage(at path: String, withKey key: SHA256Digest) -> Bool {
        guard let (prefix, fileSize) = FileSystem.readPrefix(path, count: ImageHeader.size) else { return false }
        let header = prefix.withUnsafeBytes { try? ImageHeader(validating: $0, fileSize: fileSize) }
        return header?.cacheKey == key
    }
}
