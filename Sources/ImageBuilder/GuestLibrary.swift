import ImageFormat
import Synchronization

/// The guest unikernel library the module is linked with: a directory with
/// libmewz_guest.a, link.ld and include/ (the headers the generated C
/// includes).
struct GuestLibrary {
    static let archiveName = "libmewz_guest.a"
    static let linkerScriptName = "link.ld"
    static let includeName = "include"

    let directory: String

    var archive: String { directory + "/" + Self.archiveName }
    var linkerScript: String { directory + "/" + Self.linkerScriptName }
    var include: String { directory + "/" + Self.includeName }

    /// Digests already computed in this process, by directory: the guest
    /// does not change while the runtime runs, and hashing it again on
    /// every lookup would put file reads on the cache-hit path.
    private static let knownDigests = Mutex<[String: SHA256Digest]>([:])

    /// SHA-256 over the archive, the linker script and every file under
    /// include/, each with its name, so any change to what a build reads
    /// changes the digest. With a stamp whose files are these very files,
    /// the recorded digest, without reading them.
    func digest(stamp: GuestDigestStamp? = nil) throws(ImageBuildError) -> SHA256Digest {
        if let known = Self.knownDigests.withLock({ $0[directory] }) { return known }
        let files = [Self.archiveName, Self.linkerScriptName]
            + FileSystem.regularFiles(under: include).map { Self.includeName + "/" + $0 }
        let before = stamp.flatMap { _ in GuestDigestStamp.fingerprint(of: files, in: directory) }
        if let stamp, let before, let recorded = stamp.digest(matching: before) {
            Self.knownDigests.withLock { $0[directory] = recorded }
            return recorded
        }
        var hasher = SHA256()
        hasher.update("mewz-guest-digest-1")
        for name in files {
            let contents = try FileSystem.readFile(directory + "/" + name)
            hasher.updateField(Array(name.utf8))
            hasher.updateField(contents)
        }
        let digest = hasher.finalize()
        Self.knownDigests.withLock { $0[directory] = digest }
        // Recorded only when no file changed while it was read: a stamp
        // must never pair new files with the digest of old ones.
        if let stamp, let before, GuestDigestStamp.fingerprint(of: files, in: directory) == before {
            stamp.record(digest, fingerprint: before)
        }
        return digest
    }

    /// The guest's headers must speak the ABI this runtime's monitor speaks.
    func checkABIVersion() throws(ImageBuildError) {
        let path = include + "/mewz/abi.h"
        let text = String(decoding: try FileSystem.readFile(path), as: UTF8.self)
        let prefix = "#define MEWZ_ABI_VERSION "
        let value = text.split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix(prefix) }
            .flatMap { UInt32($0.dropFirst(prefix.count).trimmingPrefix(while: \.isWhitespace).prefix { $0.isNumber }) }
        guard let value else { throw .guestMismatch("\(path) does not define MEWZ_ABI_VERSION") }
        guard value == ImageHeader.currentABIVersion else {
            throw .guestMismatch(
                "guest library in \(directory) is ABI version \(value), this runtime speaks \(ImageHeader.currentABIVersion)")
        }
    }
}

extension SHA256 {
    /// A length-prefixed field, so ("ab", "c") and ("a", "bc") hash differently.
    mutating func updateField(_ bytes: [UInt8]) {
        var length = UInt64(bytes.count).littleEndian
        withUnsafeBytes(of: &length) { update($0) }
        update(bytes)
    }
}
