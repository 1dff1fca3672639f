import Foundation
import Glibc
import ImageFormat
import Testing
@testable import ImageBuilder

/// `cache list|prune|verify` over a cache made by the builder's own ROFS path (no toolchain).
struct ImageCacheTests {
    func filled() throws -> (RootfsFixture, ImageCache, String) {
        let fixture = RootfsFixture()
        fixture.file("a", Array("one".utf8))
        let path = try fixture.builder().rootfsImage(for: try fixture.walk()).path
        return (fixture, ImageCache(directory: fixture.directory.path + "/cache"), path)
    }

    @Test func listsEntriesWithTheirState() throws {
        let (fixture, cache, path) = try filled()
        defer { withExtendedLifetime(fixture) {} }
        // A compiled entry that is not one, and a file that is not an entry at all.
        let fakeKey = String(repeating: "a", count: 64)
        _ = fixture.directory.file("cache/images/\(fakeKey).img", "garbage")
        _ = fixture.directory.file("cache/images/notes.txt", "x")
        let entries = cache.entries()
        #expect(entries.map(\.kind) == [.compiled, .rootfs])
        #expect(entries[0].key == fakeKey && entries[0].problem?.contains("bad magic") == true)
        #expect(entries[1].path == path && entries[1].problem == nil)
        #expect(entries[1].header?.hasROFS == true)
        #expect(cache.verify(entries[1]) == nil)
    }

    @Test func verifyFindsDamageTheCheapChecksMiss() throws {
        let (fixture, cache, path) = try filled()
        defer { withExtendedLifetime(fixture) {} }
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 4096 + 90)
        try handle.write(contentsOf: Data([0x5A]))
        try handle.close()
        let entry = try #require(cache.entries().first)
        #expect(entry.problem == nil)
        #expect(cache.verify(entry)?.contains("do not match the digest") == true)
    }

    @Test func entryNamedAfterAnotherKeyIsDamaged() throws {
        let (fixture, cache, path) = try filled()
        defer { withExtendedLifetime(fixture) {} }
        let other = fixture.directory.path + "/cache/rofs/" + String(repeating: "b", count: 64) + ".img"
        rename(path, other)
        #expect(cache.entries().first?.problem?.hasPrefix("holds the entry ") == true)
    }

    @Test func pruneKeepsWhatALookupCanHitUnlessAll() throws {
        let (fixture, cache, path) = try filled()
        defer { withExtendedLifetime(fixture) {} }
        let now = time(nil)
        #expect(cache.prunable(all: false, now: now, currentKey: nil).isEmpty)
        // Unused for more than a week.
        let old = cache.prunable(all: false, now: now + ImageCache.unusedROFSAge + 10, currentKey: nil)
        #expect(old.map(\.path) == [path])
        let all = cache.prunable(all: true, now: now, currentKey: nil)
        #expect(all.map(\.path) == [path])
        #expect(cache.remove(try #require(all.first)))
        #expect(cache.entries().isEmpty)
    }

    /// An entry whose build lock is held (a create building it now) is not removed.
    @Test func entryBeingBuiltIsKept() throws {
        let (fixture, cache, path) = try filled()
        defer { withExtendedLifetime(fixture) {} }
        let lock = try CacheLock(path + ".lock")
        let entry = try #require(cache.entries().first)
        #expect(!cache.remove(entry))
        #expect(FileManager.default.fileExists(atPath: path))
        lock.release()
        #expect(cache.remove(entry))
        #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
    }

    /// A file's owner sets its times at will, and tmpfs keeps even INT64_MIN: the cache's age
    /// checks compare without subtracting, so such a file is merely old, never a trap.
    @Test func filesWithTheEarliestTimesAreOldNotATrap() throws {
        let (fixture, cache, path) = try filled()
        defer { withExtendedLifetime(fixture) {} }
        let earliest = [timespec(tv_sec: Int.min, tv_nsec: 0), timespec(tv_sec: Int.min, tv_nsec: 0)]
        // /dev/shm (tmpfs) keeps the time as set; the fixture's filesystem may clamp it.
        let shm = "/dev/shm/mewz-cache-test-\(getpid())-\(UUID().uuidString).img"
        defer { unlink(shm) }
        try FileManager.default.copyItem(atPath: path, toPath: shm)
        for file in [path, shm] { #expect(utimensat(AT_FDCWD, file, earliest, 0) == 0) }
        let image = try ImageFile(opening: shm)
        image.markUsed()
        var info = stat()
        #expect(stat(shm, &info) == 0 && info.st_atim.tv_sec > 0)  // marked used: now
        let now = time(nil)
        #expect(cache.prunable(all: false, now: now, currentKey: nil).map(\.path) == [path])
        let leftover = fixture.directory.file("cache/tmp/build-y", "partial")
        #expect(utimensat(AT_FDCWD, leftover, earliest, 0) == 0)
        _ = cache.removeLeftovers(now: now)
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    /// What sits at an image's path is opened only to be checked: a fifo is refused at once
    /// (not waited on for a writer that never comes).
    @Test(.timeLimit(.minutes(1))) func aFifoAtTheImagePathIsRefusedNotWaitedOn() throws {
        let directory = TemporaryDirectory()
        let fifo = directory.path + "/mewz.img"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: ImageBuildError.self) { try ImageFile(opening: fifo) }
    }

    @Test func leftoversOfInterruptedBuildsGoWhenOld() throws {
        let (fixture, cache, _) = try filled()
        defer { withExtendedLifetime(fixture) {} }
        let key = String(repeating: "c", count: 64)
        let stale = fixture.directory.file("cache/rofs/\(key).img.tmp-1", "partial")
        let fresh = fixture.directory.file("cache/rofs/\(key).img.tmp-2", "partial")
        let build = fixture.directory.path + "/cache/tmp/build-x"
        try FileManager.default.createDirectory(atPath: build, withIntermediateDirectories: true)
        let old = Date(timeIntervalSinceNow: -2 * 3600)
        for path in [stale, build] { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path) }
        _ = cache.removeLeftovers(now: time(nil))
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: fresh))
        #expect(!FileManager.default.fileExists(atPath: build))
    }
}

struct CacheLockTests {
    /// A second locker waits for the first, and is told it waits.
    @Test func secondLockerWaits() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/entry.lock"
        let first = try CacheLock(path)
        let waited = ProgressLog()
        let start = ContinuousClock.now
        let second = Task.detached { () throws -> Duration in
            let lock = try CacheLock(path) { waited.record("waiting") }
            defer { lock.release() }
            return ContinuousClock.now - start
        }
        try await Task.sleep(for: .milliseconds(300))
        first.release()
        let elapsed = try await second.value
        #expect(waited.lines == ["waiting"])
        #expect(elapsed >= .milliseconds(250))
        #expect(CacheLock.tryLock(path) != nil)
    }
}

struct PrebuiltImageTests {
    @Test func absentStaleAndDamagedImages() throws {
        let fixture = RootfsFixture()
        fixture.file("a", [1])
        let walk = try fixture.walk()
        let path = fixture.directory.path + "/mewz.img"
        guard case .absent = try ImageBuilder.prebuiltImage(at: path, moduleDigest: .zero, rootfsKey: walk.key) else {
            Issue.record("expected absent")
            return
        }
        // An ELF-only image: a compiled module, no ROFS.
        let module = SHA256.hash([1, 2, 3])
        let header = ImageHeader(requiredCPUFeatures: .x86_64, memoryMinPages: 0, memoryMaxPages: 1,
                                 moduleDigest: module, cacheKey: SHA256.hash([9]))
        let compiledPath = fixture.directory.path + "/compiled.img"
        try Data(ImageWriter.image(header: header, elf: [UInt8](repeating: 0x7F, count: 100))).write(to: URL(fileURLWithPath: compiledPath))
        let compiled = try ImageFile(opening: compiledPath)
        try fixture.builder().writeImage(compiled: compiled, rootfs: walk, to: path)

        guard case .usable(let image) = try ImageBuilder.prebuiltImage(at: path, moduleDigest: module, rootfsKey: walk.key) else {
            Issue.record("expected usable")
            return
        }
        #expect(image.header.hasELF && image.header.hasROFS && image.header.rootfsKey == walk.key)
        let mapped = try MappedImage(file: image)
        try mapped.verifyContent()
        #expect(Array(mapped.elf) == [UInt8](repeating: 0x7F, count: 100))
        let tree = try ROFSReader(mapped.rofs).tree()
        #expect(tree.entry("/a")?.contents == .bytes([1]))

        guard case .stale(let otherModule) = try ImageBuilder.prebuiltImage(at: path, moduleDigest: .zero, rootfsKey: walk.key),
              case .stale(let otherTree) = try ImageBuilder.prebuiltImage(at: path, moduleDigest: module, rootfsKey: .zero)
        else {
            Issue.record("expected stale")
            return
        }
        #expect(otherModule == "it was built from another module")
        #expect(otherTree.hasPrefix("it was built from another rootfs"))

        try Data([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))).prefix(5000)).write(to: URL(fileURLWithPath: path))
        let error = buildError { () throws(ImageBuildError) in
            _ = try ImageBuilder.prebuiltImage(at: path, moduleDigest: module, rootfsKey: walk.key)
        }
        #expect(error?.description.hasPrefix("prebuilt image \(path): image truncated") == true)
    }

    /// A walk of a tree still changing gives an image create never takes for it.
    @Test func imageOfAChangingTreeHasNoRootfsKey() throws {
        let fixture = RootfsFixture()
        fixture.file("a", [1])
        let walk = try fixture.walk(margin: RootfsWalk.defaultRacyMargin)
        let header = ImageHeader(requiredCPUFeatures: .x86_64, memoryMinPages: 0, memoryMaxPages: 1,
                                 moduleDigest: .zero, cacheKey: .zero)
        let compiledPath = fixture.directory.path + "/compiled.img"
        try Data(ImageWriter.image(header: header, elf: [1])).write(to: URL(fileURLWithPath: compiledPath))
        let log = ProgressLog()
        let written = try fixture.builder(progress: log).writeImage(
            compiled: try ImageFile(opening: compiledPath), rootfs: walk, to: fixture.directory.path + "/out.img")
        #expect(written.rootfsKey == .zero && written.hasROFS)
        #expect(log.lines.contains { $0.contains("kept changing while it was packed") })
        // settledWalk waits the margin out instead.
        let settled = try RootfsWalk.settledWalk(fixture.root)
        #expect(settled.isCacheable)
    }
}

struct LinkerOutputTests {
    /// The build refuses an ELF whose PT_LOAD the monitor could not map from the file.
    @Test func unmappableSegmentIsFound() {
        var elf = [UInt8](repeating: 0, count: 64 + 56)
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for index in 0..<size { elf[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
        put(64, at: 32, size: 8)  // e_phoff
        put(56, at: 54, size: 2)  // e_phentsize
        put(1, at: 56, size: 2)   // e_phnum
        put(1, at: 64, size: 4)   // PT_LOAD
        put(0x1000, at: 64 + 8, size: 8)
        put(0x100000, at: 64 + 16, size: 8)
        put(10, at: 64 + 32, size: 8)
        #expect(ImageBuilder.unmappableSegment(elf) == nil)
        put(0x1010, at: 64 + 8, size: 8)
        #expect(ImageBuilder.unmappableSegment(elf) == 0)
        #expect(ImageBuilder.unmappableSegment(Array(elf.prefix(70))) == 0)
    }
}
