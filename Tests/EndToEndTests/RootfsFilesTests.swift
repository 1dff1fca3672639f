import Foundation
import Testing

/// The bundle's rootfs as the program sees it: oci/examples/readback (a C WASI program) reads back
/// files, directories, symlinks, hard links and timestamps the test put in the rootfs, through
/// the runtime's ROFS and the guest's WASI.
@Suite(.needsKVM)
struct RootfsFilesTests {
    /// The readback bundle with `args` after /readback.wasm and process.cwd `cwd`, and extra files.
    func bundle(_ runtime: Runtime, args: [String], cwd: String = "/") throws -> String {
        let bundle = try runtime.bundle("readback", args: ["/readback.wasm"] + args)
        let url = URL(fileURLWithPath: bundle + "/config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              var process = config["process"] as? [String: Any]
        else { throw TestFailure("bad config") }
        process["cwd"] = cwd
        config["process"] = process
        try JSONSerialization.data(withJSONObject: config).write(to: url)
        let site = bundle + "/rootfs/site"
        try FileManager.default.createSymbolicLink(atPath: site + "/link.html", withDestinationPath: "index.html")
        try FileManager.default.linkItem(atPath: site + "/index.html", toPath: site + "/hard.html")
        try FileManager.default.createDirectory(atPath: site + "/sub", withIntermediateDirectories: true)
        try Data(Self.big).write(to: URL(fileURLWithPath: site + "/sub/big.txt"))
        var times = [timespec(tv_sec: 1_500_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_123, tv_nsec: 456)]
        utimensat(AT_FDCWD, site + "/index.html", &times, 0)
        return bundle
    }

    /// 3 MiB + a bit of text: more than one 2 MiB page of the ROFS.
    static let big: [UInt8] = (0..<(3 << 20) + 4321).map { UInt8(0x61 + $0 % 26) }

    @Test func programReadsTheRootfs() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try bundle(runtime, args: [
            "cat", "/site/index.html", "ls", "/site", "stat", "site/index.html", "stat", "/site/link.html",
            "readlink", "site/link.html", "cat", "site/link.html", "cat", "site/hard.html", "stat", "/site/sub",
            "write", "/site/new.txt", "cat", "/missing",
        ])
        let result = try runtime.run(["run", "--bundle", bundle, "files"])
        #expect(result.stderr == "")
        #expect(result.status == 1)  // the one failure: /missing
        #expect(result.stdout == """
            <h1>files</h1>
            hard.html
            index.html
            link.html
            sub
            site/index.html: regular 15 1600000123
            /site/link.html: symlink 10 \(Self.mtime(bundle + "/rootfs/site/link.html"))
            site/link.html -> index.html
            <h1>files</h1>
            <h1>files</h1>
            /site/sub: directory 1 \(Self.mtime(bundle + "/rootfs/site/sub"))
            write /site/new.txt: 69 Read-only file system
            cat /missing: No such file or directory

            """)
        #expect(!FileManager.default.fileExists(atPath: bundle + "/rootfs/site/new.txt"))
    }

    @Test func relativePathsFollowTheWorkingDirectory() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try bundle(runtime, args: ["cat", "index.html", "cat", "../site/link.html", "ls", "sub"], cwd: "/site")
        let result = try runtime.run(["run", "--bundle", bundle, "cwd"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout == "<h1>files</h1>\n<h1>files</h1>\nbig.txt\n")
    }

    @Test func largeFileArrivesWhole() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try bundle(runtime, args: ["cat", "/site/sub/big.txt"])
        let result = try runtime.run(["run", "--bundle", bundle, "big"])
        #expect(result.status == 0)
        #expect(Array(result.stdout.utf8) == Self.big)
    }

    static func mtime(_ path: String) -> Int {
        var info = stat()
        lstat(path, &info)
        return info.st_mtim.tv_sec
    }
}
