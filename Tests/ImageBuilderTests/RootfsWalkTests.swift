import Foundation
import Glibc
import ImageFormat
import Testing
@testable import ImageBuilder

struct RootfsWalkTests {
    /// Everything the rootfs holds arrives in the ROFS as it is on disk.
    @Test func walkKeepsFilesDirectoriesLinksModesAndTimes() throws {
        let fixture = RootfsFixture()
        let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        fixture.file("app.wasm", Array("\0asm\u{1}\0\0\0".utf8), mode: 0o755, mtime: 1_600_000_000)
        fixture.directory("site", mode: 0o750)
        fixture.file("site/index.html", Array("<h1>hi</h1>\n".utf8), mtime: 1_650_000_000)
        fixture.file("site/big.bin", big, mode: 0o4711)
        fixture.file("site/empty", [])
        fixture.directory("site/deep")
        fixture.directory("site/deep/er", mode: 0o700)
        fixture.file("site/deep/er/x", [1, 2, 3], mode: 0o600)
        fixture.hardLink("site/deep/big-link", to: "site/big.bin")
        fixture.symlink("site/rel", to: "../app.wasm")
        fixture.symlink("abs", to: "/site/index.html")
        fixture.symlink("outside", to: "../../../../etc/passwd")
        fixture.symlink("dangling", to: "nowhere")
        fixture.symlink("escape", to: "/")
        fixture.setTimes("site/deep/er", seconds: 1_700_000_000, nanoseconds: 5)

        let walk = try fixture.walk()
        #expect(walk.fileCount == 5)  // the hard link is one file
        #expect(walk.dataBytes == UInt64(big.count) + 8 + 12 + 3)
        let (tree, _) = try fixture.roundTrip(walk, builder: fixture.builder())

        let app = try #require(tree.entry("/app.wasm"))
        #expect(app.type == .regular && app.metadata.mode == 0o755)
        #expect(app.metadata.modificationTime == 1_600_000_000_123_456_789)
        #expect(app.metadata.accessTime == 1_599_999_000_123_456_789)
        #expect(app.contents == .bytes(Array("\0asm\u{1}\0\0\0".utf8)))
        #expect(tree.entry("/site")?.metadata.mode == 0o750)
        #expect(tree.entry("/site/big.bin")?.contents == .bytes(big))
        #expect(tree.entry("/site/big.bin")?.metadata.mode == 0o4711)
        #expect(tree.entry("/site/deep/big-link")?.linkOf == "/site/big.bin")
        #expect(tree.entry("/site/empty")?.contents == .bytes([]))
        #expect(tree.entry("/site/deep/er/x")?.metadata.mode == 0o600)
        #expect(tree.entry("/site/deep/er")?.metadata.modificationTime == 1_700_000_000_000_000_005)
        // Symlinks are stored, never followed, wherever they point.
        for (path, target) in [("/site/rel", "../app.wasm"), ("/abs", "/site/index.html"),
                               ("/outside", "../../../../etc/passwd"), ("/dangling", "nowhere"), ("/escape", "/")] {
            #expect(tree.entry(path)?.type == .symlink, "\(path)")
            #expect(tree.entry(path)?.contents == .bytes(Array(target.utf8)), "\(path)")
        }
        #expect(tree.listing().count == 14)
        #expect(tree.listing().allSatisfy { !$0.path.hasPrefix("/escape/") })
    }

    @Test func devicesFifosAndSocketsAreSkippedWithOneWarningEach() throws {
        let fixture = RootfsFixture()
        fixture.file("keep", [1])
        #expect(mkfifo(fixture.path("fifo"), 0o644) == 0)
        let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let socketPath = fixture.path("sock")
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let madeDevice = geteuid() == 0 && mknod(fixture.path("null"), S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0

        let warnings = ProgressLog()
        let walk = try fixture.walk(warnings: warnings)
        #expect(walk.tree.listing().map(\.path) == ["/keep"])
        var expected = ["mewz-runtime: skipping fifo \(fixture.path("fifo")) (the read-only filesystem holds only files, directories and symlinks)",
                        "mewz-runtime: skipping socket \(fixture.path("sock")) (the read-only filesystem holds only files, directories and symlinks)"]
        if madeDevice {
            expected.insert("mewz-runtime: skipping character device \(fixture.path("null")) (the read-only filesystem holds only files, directories and symlinks)", at: 1)
        }
        #expect(warnings.lines == expected)
    }

    /// The key is a digest of the walk's metadata: the same for the same
    /// tree, different after any change a read could see.
    @Test func keyChangesWithTheTree() throws {
        let fixture = RootfsFixture()
        fixture.file("a", Array("one".utf8), mtime: 1_600_000_000)
        fixture.directory("d")
        fixture.file("d/b", Array("two".utf8))
        let original = try fixture.walk().key
        #expect(try fixture.walk().key == original)

        // Reading a file (its atime) does not change the key.
        fixture.setTimes("d", seconds: 1_600_000_000, nanoseconds: 0)
        let afterDirectoryTimes = try fixture.walk().key
        #expect(afterDirectoryTimes != original)  // a directory's mtime is in the key
        var atime = [timespec(tv_sec: 5, tv_nsec: 0), timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2)]
        utimensat(AT_FDCWD, fixture.path("a"), &atime, 0)
        // atime is not in the key, but utimensat sets ctime: the key moves.
        let afterATime = try fixture.walk().key
        #expect(afterATime != afterDirectoryTimes)

        // Same size, same mtime, other bytes: ctime gives the edit away.
        var keys: Set<SHA256Digest> = [original, afterDirectoryTimes, afterATime]
        fixture.file("a", Array("ONE".utf8), mtime: 1_600_000_000)
        keys.insert(try fixture.walk().key)
        chmod(fixture.path("a"), 0o600)
        keys.insert(try fixture.walk().key)
        rename(fixture.path("d/b"), fixture.path("d/c"))
        keys.insert(try fixture.walk().key)
        fixture.symlink("l", to: "a")
        keys.insert(try fixture.walk().key)
        fixture.hardLink("h", to: "a")
        keys.insert(try fixture.walk().key)
        #expect(keys.count == 8)
    }

    @Test func freshlyChangedTreesAreNotCacheable() throws {
        let fixture = RootfsFixture()
        fixture.file("a", [1])
        #expect(try fixture.walk(margin: RootfsWalk.defaultRacyMargin).isCacheable == false)
        #expect(try fixture.walk(margin: 0).isCacheable == true)
    }

    /// Two filesystem images whose metadata is the same byte for byte (one a copy of the other,
    /// a file's bytes edited in the image) must not share a key: their inode numbers and ctimes
    /// are the images', so only the device tells them apart (once, the second rootfs was served
    /// the first one's cached ROFS, its files included).
    @Test func sameMetadataOnAnotherFilesystemIsAnotherKey() throws {
        let directory = TemporaryDirectory()
        let imageA = directory.path + "/a.img", imageB = directory.path + "/b.img"
        let mountA = directory.path + "/a", mountB = directory.path + "/b"
        func shell(_ script: String) -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-ec", script]
            try? process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        try #require(shell("""
            truncate -s 4M '\(imageA)'; mkfs.ext4 -q -F '\(imageA)' >/dev/null
            mkdir -p '\(mountA)' '\(mountB)'; mount -o loop '\(imageA)' '\(mountA)'
            printf AAAA-first-tenant > '\(mountA)/secret'; umount '\(mountA)'
            cp '\(imageA)' '\(imageB)'
            """) == 0)
        // The file's bytes in image B, edited in place: no inode or time changes.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: imageB)))
        let needle = Array("AAAA-first-tenant".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) })
        bytes.replaceSubrange(at..<at + needle.count, with: Array("BBBB-other-tenant".utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: imageB))
        try #require(shell("mount -o loop,ro '\(imageA)' '\(mountA)'; mount -o loop,ro '\(imageB)' '\(mountB)'") == 0)
        defer { _ = shell("umount '\(mountA)' || true; umount '\(mountB)' || true") }
        #expect(try String(contentsOfFile: mountB + "/secret", encoding: .utf8) == "BBBB-other-tenant")
        let walkA = try RootfsWalk.walk(mountA, racyMargin: 0) { _ in }
        let walkB = try RootfsWalk.walk(mountB, racyMargin: 0) { _ in }
        #expect(walkA.key != walkB.key)
    }

    /// The walk recurses a level a directory: a rootfs deeper than its limit is one clear error,
    /// not a stack overflow (a tree of 8,000 levels ended the process before the limit).
    @Test func aTreeDeeperThanTheLimitIsAnError() throws {
        let fixture = RootfsFixture()
        var fd = open(fixture.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        for _ in 0...RootfsWalk.depthLimit {
            #expect(mkdirat(fd, "d", 0o755) == 0)
            let child = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            close(fd)
            fd = child
        }
        close(fd)
        let error = buildError { () throws(ImageBuildError) in _ = try fixture.walk() }
        #expect(error?.description.hasSuffix("in the rootfs is more than \(RootfsWalk.depthLimit) directories deep") == true,
                "\(String(describing: error))")
    }

    /// Sparse files can claim any size: a sum past UInt64 saturates (and the image is then too
    /// large), never traps. tmpfs (/dev/shm) takes such sizes; ext4 refuses them.
    @Test func sizesWhoseSumOverflowsSaturate() throws {
        let root = "/dev/shm/mewz-walk-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(root, 0o755) == 0)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["a", "b", "c"] {
            #expect(FileManager.default.createFile(atPath: root + "/" + name, contents: nil))
            #expect(truncate(root + "/" + name, off_t.max) == 0)
        }
        let walk = try RootfsWalk.walk(root, racyMargin: 0) { _ in }
        #expect(walk.dataBytes == UInt64.max)
    }

    @Test func rootThatIsNotADirectory() {
        let fixture = RootfsFixture()
        let file = fixture.file("f", [1])
        let error = buildError { () throws(ImageBuildError) in _ = try RootfsWalk.walk(file) }
        #expect(error?.description == "cannot open rootfs \(file): Not a directory")
        let missing = buildError { () throws(ImageBuildError) in _ = try RootfsWalk.walk(fixture.path("none")) }
        #expect(missing?.description == "cannot open rootfs \(fixture.path("none")): No such file or directory")
    }

    /// A file swapped for a device node between the walk and the read is refused without the
    /// device being opened (inotify sees every open of the node but an O_PATH one).
    @Test func aFileSwappedForADeviceIsRefusedUnopened() throws {
        let fixture = RootfsFixture()
        fixture.file("d/f", Array("bytes".utf8))
        let walk = try fixture.walk()
        unlink(fixture.path("d/f"))
        try #require(mknod(fixture.path("d/f"), S_IFCHR | 0o600, (1 << 8) | 3) == 0)  // the null device
        let watcher = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        try #require(watcher >= 0)
        defer { close(watcher) }
        try #require(inotify_add_watch(watcher, fixture.path("d"), UInt32(IN_OPEN)) >= 0)
        let error = buildError { () throws(ImageBuildError) in
            try fixture.builder().writeROFSImage(walk, to: fixture.directory.path + "/out.img")
        }
        #expect(error?.description == "\(fixture.path("d/f")) changed while the image was built; try again")
        var events = [UInt8](repeating: 0, count: 4096)
        var opened = false
        let got = read(watcher, &events, events.count)
        if got > 0 {
            // Events name the entry; the directory's own opens (the cursor's) have no name.
            var at = 0
            while at + 16 <= got {
                let length = Int(events[at + 12]) | Int(events[at + 13]) << 8
                if length > 0, events[at + 16] == UInt8(ascii: "f") { opened = true }
                at += 16 + length
            }
        }
        #expect(!opened, "the device node was opened")
    }

    /// Between the walk and the read, a file is edited, a directory swapped
    /// for a symlink to somewhere else, or a file removed: each is one
    /// clear error, and nothing is read from outside the rootfs.
    @Test(arguments: ["edit", "swap directory", "remove", "replace by symlink"])
    func changesAfterTheWalkAreCaught(change: String) throws {
        let fixture = RootfsFixture()
        fixture.directory("d")
        fixture.file("d/f", Array("bytes".utf8))
        let outside = fixture.directory.path + "/outside"
        mkdir(outside, 0o755)
        _ = fixture.directory.file("outside/f", "SECRET")
        let walk = try fixture.walk()
        switch change {
        case "edit": fixture.file("d/f", Array("BYTES".utf8))
        case "swap directory":
            rename(fixture.path("d"), fixture.path("d.old"))
            fixture.symlink("d", to: outside)
        case "remove": unlink(fixture.path("d/f"))
        default:
            unlink(fixture.path("d/f"))
            fixture.symlink("d/f", to: outside + "/f")
        }
        let error = buildError { () throws(ImageBuildError) in
            try fixture.builder().writeROFSImage(walk, to: fixture.directory.path + "/out.img")
        }
        let expectedPath = fixture.path(change == "swap directory" ? "d" : "d/f")
        #expect(error?.description == "\(expectedPath) changed while the image was built; try again")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.path + "/out.img"))
        #expect(Fixtures.entries(fixture.directory.path).allSatisfy { !$0.contains(".tmp-") })
    }
}
