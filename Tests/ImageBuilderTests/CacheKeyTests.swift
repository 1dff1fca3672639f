import Foundation
import ImageFormat
import Testing
@testable import ImageBuilder

struct CacheKeyTests {
    static let module = SHA256.hash(Array("module".utf8))
    static let guest = SHA256.hash(Array("guest".utf8))

    static func key(
        module: SHA256Digest = CacheKeyTests.module, guest: SHA256Digest = CacheKeyTests.guest,
        version: String = ImageBuilder.compilerVersion,
        compileFlags: [String] = ImageBuilder.compileFlags, linkFlags: [String] = ImageBuilder.linkFlags
    ) -> SHA256Digest {
        ImageBuilder.cacheKey(
            moduleDigest: module, guestDigest: guest,
            compilerVersion: version, compileFlags: compileFlags, linkFlags: linkFlags)
    }

    @Test func stable() {
        #expect(Self.key() == Self.key())
        #expect(Self.key() == ImageBuilder.cacheKey(moduleDigest: Self.module, guestDigest: Self.guest))
    }

    @Test(arguments: [
        ("module", key(module: SHA256.hash(Array("other".utf8)))),
        ("guest", key(guest: SHA256.hash(Array("other".utf8)))),
        ("compiler version", key(version: "mewz-wasmtoc-999")),
        ("extra compile flag", key(compileFlags: ImageBuilder.compileFlags + ["-O3"])),
        ("compile flags reordered", key(compileFlags: ImageBuilder.compileFlags.reversed())),
        ("compile flag dropped", key(compileFlags: Array(ImageBuilder.compileFlags.dropLast()))),
        ("link flag dropped", key(linkFlags: Array(ImageBuilder.linkFlags.dropLast()))),
        ("flag moved between lists", key(compileFlags: ImageBuilder.compileFlags + ["-nostdlib"], linkFlags: ["-static", "--gc-sections"])),
    ])
    func sensitive(_ change: String, changed: SHA256Digest) {
        #expect(changed != Self.key(), "\(change)")
    }

    /// Fields are length-prefixed: splitting a flag differently is a
    /// different key.
    @Test func fieldBoundariesCount() {
        #expect(Self.key(compileFlags: ["-O2", "-g"]) != Self.key(compileFlags: ["-O2-g"]))
        #expect(Self.key(compileFlags: ["-O2"], linkFlags: ["-g", "-s"]) != Self.key(compileFlags: ["-O2", "-g"], linkFlags: ["-s"]))
    }

    @Test func guestDigestCoversEveryFileButNotTheDirectoryName() throws {
        let directory = TemporaryDirectory()
        func digest(_ name: String, _ edit: (String) -> Void = { _ in }) throws -> SHA256Digest {
            let guest = Fixtures.makeGuest(in: directory, name: name)
            edit(guest)
            return try GuestLibrary(directory: guest).digest()
        }
        let base = try digest("base")
        #expect(try digest("same") == base)
        let edits: [(String, (String) -> Void)] = [
            ("archive", { _ = directory.file(String($0.dropFirst(directory.path.count + 1)) + "/libmewz_guest.a", "x") }),
            ("link.ld", { _ = directory.file(String($0.dropFirst(directory.path.count + 1)) + "/link.ld", "ENTRY(x)") }),
            ("header", { _ = directory.file(String($0.dropFirst(directory.path.count + 1)) + "/include/mewz/wasi.h", "") }),
            ("new header", { _ = directory.file(String($0.dropFirst(directory.path.count + 1)) + "/include/extra.h", "") }),
        ]
        for (index, (name, edit)) in edits.enumerated() {
            #expect(try digest("edited\(index)", edit) != base, "\(name)")
        }
    }

    @Test func guestWithoutLinkerScriptIsAnError() {
        let directory = TemporaryDirectory()
        let guest = Fixtures.makeGuest(in: directory)
        try? FileManager.default.removeItem(atPath: guest + "/link.ld")
        let error = buildError { () throws(ImageBuildError) in _ = try GuestLibrary(directory: guest).digest() }
        #expect(error?.description == "cannot open \(guest)/link.ld: No such file or directory")
    }

    @Test(arguments: [(0, 8, 1), (199, 8, 1), (200, 8, 8), (5000, 3, 3), (5000, 0, 1)])
    func translationUnits(functions: Int, configured: Int, expected: Int) {
        #expect(ImageBuilder.translationUnits(functionCount: functions, configured: configured) == expected)
    }
}
