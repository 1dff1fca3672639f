import Foundation
import ImageFormat
import Testing
@testable import ImageBuilder

/// The guest library's digest stamp: written after hashing, believed only for
/// the very files it was made from.
struct GuestDigestStampTests {
    static let files = ["libmewz_guest.a", "link.ld", "include/mewz/abi.h", "include/mewz/wasi.h", "include/mewz/wasm_rt.h"]

    @Test func digestWritesAStampThatHoldsIt() throws {
        let directory = TemporaryDirectory()
        let guest = Fixtures.makeGuest(in: directory)
        let stamp = GuestDigestStamp(cacheDirectory: directory.path + "/cache", guestDirectory: guest)
        let digest = try GuestLibrary(directory: guest).digest(stamp: stamp)
        let fingerprint = try #require(GuestDigestStamp.fingerprint(of: Self.files, in: guest))
        #expect(stamp.digest(matching: fingerprint) == digest)
        #expect(stamp.path.hasPrefix(directory.path + "/cache/guest/"))
    }

    @Test func anyWriteToAFileMakesTheStampStale() throws {
        let directory = TemporaryDirectory()
        let guest = Fixtures.makeGuest(in: directory)
        let stamp = GuestDigestStamp(cacheDirectory: directory.path + "/cache", guestDirectory: guest)
        let before = try #require(GuestDigestStamp.fingerprint(of: Self.files, in: guest))
        stamp.record(SHA256.hash(Array("recorded".utf8)), fingerprint: before)
        #expect(stamp.digest(matching: before) == SHA256.hash(Array("recorded".utf8)))
        // The same bytes written again: the size and contents match, the ctime does not.
        usleep(20_000)
        let link = guest + "/link.ld"
        try Data(contentsOf: URL(fileURLWithPath: link)).write(to: URL(fileURLWithPath: link))
        let after = try #require(GuestDigestStamp.fingerprint(of: Self.files, in: guest))
        #expect(after != before)
        #expect(stamp.digest(matching: after) == nil)
    }

    @Test(arguments: ["", "mewz-guest-stamp-1\n", "mewz-guest-stamp-0\n" + String(repeating: "x", count: 40)])
    func damagedStampIsNotBelieved(contents: String) throws {
        let directory = TemporaryDirectory()
        let guest = Fixtures.makeGuest(in: directory)
        let stamp = GuestDigestStamp(cacheDirectory: directory.path, guestDirectory: guest)
        let fingerprint = try #require(GuestDigestStamp.fingerprint(of: Self.files, in: guest))
        try FileManager.default.createDirectory(atPath: directory.path + "/guest", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: stamp.path, contents: Data(contents.utf8) + Data(fingerprint))
        #expect(stamp.digest(matching: fingerprint) == nil)
    }

    @Test func missingFileHasNoFingerprint() {
        let directory = TemporaryDirectory()
        let guest = Fixtures.makeGuest(in: directory)
        #expect(GuestDigestStamp.fingerprint(of: Self.files + ["include/gone.h"], in: guest) == nil)
    }
}
