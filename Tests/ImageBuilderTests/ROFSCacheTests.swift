import Foundation
import Glibc
import ImageFormat
import Testing
@testable import ImageBuilder

/// The ROFS half of the cache: content-addressed by the walk's key, atomic,
/// one builder per key, corrupt entries rebuilt with a warning.
struct ROFSCacheTests {
    func site() -> RootfsFixture {
        let fixture = RootfsFixture()
        fixture.file("app.wasm", Array("\0asm\u{1}\0\0\0".utf8))
        fixture.file("site/index.html", Array("hello\n".utf8))
        return fixture
    }

    @Test func missWritesTheEntryAndAHitReusesIt() throws {
        let fixture = site()
        let log = ProgressLog()
        let builder = fixture.builder(progress: log)
        let walk = try fixture.walk()
        let first = try builder.rootfsImage(for: walk)
        #expect(first.path == fixture.directory.path + "/cache/rofs/" + walk.key.hex + ".img")
        #expect(first.header.hasROFS && !first.header.hasELF && first.header.rootfsKey == walk.key)
        #expect(log.lines.count == 2)
        #expect(log.lines.first == "mewz-runtime: packing the rootfs \(fixture.root) (2 files, 0.0 MB)")

        let second = try builder.rootfsImage(for: try fixture.walk())
        #expect(second.path == first.path)
        #expect(log.lines.count == 2)  // no build
        #expect(Fixtures.entries(fixture.directory.path + "/cache/rofs") == [walk.key.hex + ".img"])

        // An edit gives another key, and a new entry with the new bytes.
        fixture.file("site/index.html", Array("HELLO\n".utf8))
        let edited = try fixture.walk()
        let third = try builder.rootfsImage(for: edited)
        #expect(third.path != first.path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: third.path)))
        try bytes.withUnsafeBytes { raw in
            let reader = try ROFSReader(try ImageReader(raw).rofs)
            #expect(Array(try reader.contents(of: reader.lookup(path: "/site/index.html"))) == Array("HELLO\n".utf8))
        }
    }

    @Test(arguments: ["truncated", "garbage", "other key", "empty"])
    func corruptEntryIsRebuiltWithAWarning(damage: String) throws {
        let fixture = site()
        let walk = try fixture.walk()
        let path = try fixture.builder().rootfsImage(for: walk).path
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        switch damage {
        case "truncated": try original.prefix(5000).write(to: URL(fileURLWithPath: path))
        case "garbage": try Data("not an image".utf8).write(to: URL(fileURLWithPath: path))
        case "empty": try Data().write(to: URL(fileURLWithPath: path))
        default:
            fixture.file("other", [1])
            let other = try fixture.builder().rootfsImage(for: try fixture.walk())
            rename(other.path, path)
        }
        let log = ProgressLog()
        let rebuilt = try fixture.builder(progress: log).rootfsImage(for: walk)
        #expect(rebuilt.path == path)
        #expect(rebuilt.header.rootfsKey == walk.key)
        #expect(log.lines.first?.hasPrefix("mewz-runtime: warning: cache entry \(path) ") == true)
        #expect(log.lines.first?.hasSuffix("; rebuilding it") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
    }

    /// Several creates of one rootfs at once: one builds, the others wait
    /// and reuse the entry.
    @Test func concurrentLookupsBuildOnce() async throws {
        let fixture = site()
        fixture.file("big", [UInt8](repeating: 5, count: 8 << 20))
        let walk = try fixture.walk()
        let log = ProgressLog()
        let builder = fixture.builder(progress: log)
        let paths = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { try builder.rootfsImage(for: walk).path } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(paths).count == 1 && paths.count == 4)
        #expect(log.lines.filter { $0.hasPrefix("mewz-runtime: packing") }.count == 1)
        #expect(Fixtures.entries(fixture.directory.path + "/cache/rofs") == [walk.key.hex + ".img"])
    }

    /// A tree changed just now is packed for this use only: nothing is kept.
    @Test func uncacheableWalkLeavesNothing() throws {
        let fixture = site()
        let walk = try fixture.walk(margin: RootfsWalk.defaultRacyMargin)
        #expect(!walk.isCacheable)
        let image = try fixture.builder().rootfsImage(for: walk)
        #expect(!FileManager.default.fileExists(atPath: image.path))
        #expect(Fixtures.entries(fixture.directory.path + "/cache/tmp").isEmpty)
        #expect(Fixtures.entries(fixture.directory.path + "/cache").contains("rofs") == false)
        // Still readable through the open fd.
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(pread(image.fd, &buffer, 8, 0) == 8)
        #expect(buffer == ImageHeader.magic)
    }
}
