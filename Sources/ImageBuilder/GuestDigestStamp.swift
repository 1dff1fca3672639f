#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ImageFormat

/// The guest library's digest kept in the cache directory beside the
/// identity of every file it was computed from (device, inode, size, mtime
/// and ctime), so the cache-hit path of `create` stats a few files instead
/// of hashing the 130 KB library on every run. Any write to a file changes
/// its ctime (which no user can set), so a stamp is believed only for the
/// very files it was made from.
struct GuestDigestStamp {
    static let magic = Array("mewz-guest-stamp-1\n".utf8)

    /// `<cache>/guest/<digest of the library's path>.stamp`: one per guest
    /// directory, so runtimes with different guest libraries share a cache.
    let path: String

    init(cacheDirectory: String, guestDirectory: String) {
        path = cacheDirectory + "/guest/" + SHA256.hash(Array(guestDirectory.utf8)).hex + ".stamp"
    }

    /// The identity of the files, in order; nil when one cannot be statted.
    static func fingerprint(of files: [String], in directory: String) -> [UInt8]? {
        var text = ""
        for name in files {
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0 else { return nil }
            text += "\(name) \(info.st_dev) \(info.st_ino) \(info.st_size) "
                + "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)\n"
        }
        return Array(text.utf8)
    }

    /// The recorded digest, if the stamp was made from files with exactly
    /// this fingerprint.
    func digest(matching fingerprint: [UInt8]) -> SHA256Digest? {
        let expectedSize = Self.magic.count + SHA256Digest.byteCount + fingerprint.count
        guard let (bytes, size) = FileSystem.readPrefix(path, count: expectedSize + 1),
              size == UInt64(expectedSize), bytes.count == expectedSize,
              bytes.starts(with: Self.magic),
              bytes.suffix(fingerprint.count).elementsEqual(fingerprint)
        else { return nil }
        return SHA256Digest(bytes: bytes[Self.magic.count..<(Self.magic.count + SHA256Digest.byteCount)])
    }

    /// Records the digest; a cache that cannot be written only costs the
    /// next run the hashing again.
    func record(_ digest: SHA256Digest, fingerprint: [UInt8]) {
        do {
            try FileSystem.makeDirectories(FileSystem.directoryName(path))
            try FileSystem.writeFileAtomically(path, Self.magic + digest.bytes + fingerprint)
        } catch {}
    }
}
