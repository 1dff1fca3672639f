import Foundation
import Glibc
import ImageFormat
@testable import ImageBuilder

/// A rootfs made on disk for the walk's tests, with exact modes and times.
final class RootfsFixture {
    let directory = TemporaryDirectory()
    var root: String { directory.path + "/rootfs" }

    init() {
        mkdir(root, 0o755)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    @discardableResult
    func file(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o644, mtime: Int? = nil) -> String {
        let full = path(relative)
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        chmod(full, mode)
        if let mtime { setTimes(relative, seconds: mtime, nanoseconds: 123_456_789) }
        return full
    }

    func directory(_ relative: String, mode: mode_t = 0o755) {
        mkdir(path(relative), mode)
        chmod(path(relative), mode)
    }

    func symlink(_ relative: String, to target: String) {
        Glibc.symlink(target, path(relative))
    }

    func hardLink(_ relative: String, to existing: String) {
        link(path(existing), path(relative))
    }

    /// atime and mtime, without following a symlink.
    func setTimes(_ relative: String, seconds: Int, nanoseconds: Int) {
        var times = [timespec(tv_sec: seconds - 1000, tv_nsec: nanoseconds), timespec(tv_sec: seconds, tv_nsec: nanoseconds)]
        utimensat(AT_FDCWD, path(relative), &times, AT_SYMLINK_NOFOLLOW)
    }

    func walk(margin: UInt64 = 0, warnings: ProgressLog? = nil) throws(ImageBuildError) -> RootfsWalk {
        try RootfsWalk.walk(root, racyMargin: margin) { warnings?.record($0) }
    }

    /// The walk written as a ROFS-only image and read back.
    func roundTrip(_ walk: RootfsWalk, builder: ImageBuilder) throws -> (tree: ROFSTree, file: [UInt8]) {
        let output = directory.path + "/rofs.img"
        try builder.writeROFSImage(walk, to: output)
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        let tree = try file.withUnsafeBytes { raw in
            let image = try ImageReader(raw)
            try image.verifyContent()
            return try ROFSReader(image.rofs).tree()
        }
        return (tree, file)
    }

    /// A builder for ROFS work only (no guest library, no toolchain).
    func builder(progress: ProgressLog? = nil) -> ImageBuilder {
        ImageBuilder(configuration: BuildConfiguration(
            cacheDirectory: directory.path + "/cache", guestDirectory: directory.path + "/no-guest",
            progress: progress.map { log in { @Sendable line in log.record(line) } }))
    }
}

extension ROFSTree {
    func entry(_ path: String) -> ROFSTree.ListedEntry? {
        listing().first { $0.path == path }
    }
}
