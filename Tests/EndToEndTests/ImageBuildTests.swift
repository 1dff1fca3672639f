import Foundation
import Testing

/// `mewz-runtime build` and the prebuilt image `create` maps, through the built binary.
@Suite(.needsKVM)
struct ImageBuildTests {
    /// Lets a just-copied bundle's ctimes fall out of the walk's racy margin, so its rootfs is
    /// cacheable (a ROFS of a tree changed within the last second is built for one use only).
    func settle() { usleep(1_100_000) }

    @Test func bundleBuildIsMappedByCreateUntilTheRootfsChanges() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let build = try runtime.run(["build", "--bundle", bundle], withRoot: false)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout == "")
        #expect(build.stderr.contains("mewz-runtime: compiling /hello.wasm"))
        #expect(build.stderr.contains("mewz-runtime: packing the rootfs "))
        #expect(build.stderr.contains("mewz-runtime: wrote \(bundle)/mewz.img ("))
        let image = try Data(contentsOf: URL(fileURLWithPath: bundle + "/mewz.img"))
        #expect(image.prefix(8) == Data("MEWZIMG\0".utf8))
        #expect(image.count % 4096 == 0)

        let mapped = try runtime.run(["--debug", "run", "--bundle", bundle, "prebuilt"])
        #expect(mapped.status == 0)
        #expect(mapped.stdout == "Hello, world!\n")
        #expect(mapped.stderr.contains("using the prebuilt image \(bundle)/mewz.img"))
        // Nothing was built into the cache for it but the compiled module of the build.
        #expect(Self.entries(runtime.cacheDirectory + "/rofs").isEmpty)

        try Data("new\n".utf8).write(to: URL(fileURLWithPath: bundle + "/rootfs/new.txt"))
        let rebuilt = try runtime.run(["--debug", "run", "--bundle", bundle, "changed"])
        #expect(rebuilt.status == 0)
        #expect(rebuilt.stdout == "Hello, world!\n")
        #expect(rebuilt.stderr.contains("not using the prebuilt image \(bundle)/mewz.img: it was built from another rootfs"))
        #expect(!rebuilt.stderr.contains("using the prebuilt image \(bundle)/mewz.img\""))
    }

    /// `build MODULE --dir DIR -o IMAGE`: the directory becomes the ROFS root, and a bundle
    /// whose root is that directory maps the image.
    @Test func moduleAndDirectoryBuild() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let site = runtime.scratch.appendingPathComponent("site").path
        try FileManager.default.createDirectory(atPath: site + "/static", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Runtime.repositoryRoot.path + "/oci/examples/hello/rootfs/hello.wasm",
                                         toPath: site + "/hello.wasm")
        try Data("<h1>hi</h1>\n".utf8).write(to: URL(fileURLWithPath: site + "/static/index.html"))
        let output = runtime.scratch.appendingPathComponent("app.img").path
        let build = try runtime.run(["build", site + "/hello.wasm", "--dir", site, "-o", output], withRoot: false)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("mewz-runtime: wrote \(output) ("))

        let bundle = try runtime.bundle("hello")
        try Self.setRoot(bundle, to: site)
        try FileManager.default.copyItem(atPath: output, toPath: bundle + "/mewz.img")
        let run = try runtime.run(["--debug", "run", "--bundle", bundle, "app"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "Hello, world!\n")
        #expect(run.stderr.contains("using the prebuilt image \(bundle)/mewz.img"))
    }

    @Test func helpTellsBothForms() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let help = try runtime.run(["build", "--help"], withRoot: false)
        #expect(help.status == 0)
        #expect(help.stdout.contains("mewz-runtime build [command options] [MODULE.wasm]"))
        #expect(help.stdout.contains("--output IMAGE, -o IMAGE"))
        #expect(help.stdout.contains("--dir DIR"))
        #expect(help.stdout.contains("<bundle>/mewz.img"))
        let cache = try runtime.run(["cache", "--help"], withRoot: false)
        #expect(cache.stdout.contains("list | prune [--all] | verify"))
        let main = try runtime.run(["--help"], withRoot: false)
        #expect(main.stdout.contains("--cache-dir DIR"))
        #expect(main.stdout.contains("build"))
    }

    @Test(arguments: [
        (["build", "x.wasm"], "needs -o IMAGE"),
        (["build", "x.wasm", "--bundle", "b", "-o", "i"], "a module or --bundle, not both"),
        (["build", "--dir", "d"], "--dir goes with a module"),
        (["build", "a.wasm", "b.wasm", "-o", "i"], "at most one module"),
        (["cache"], "requires one of list, prune or verify"),
        (["cache", "list", "--all"], "--all goes with \"cache prune\""),
    ])
    func usageErrorsAreOneLine(arguments: [String], message: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let result = try runtime.run(arguments, withRoot: false)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("mewz-runtime: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func buildErrors() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let notWasm = runtime.scratch.appendingPathComponent("x.wasm").path
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: notWasm))
        let output = runtime.scratch.appendingPathComponent("x.img").path
        let cases: [([String], String)] = [
            (["build", notWasm, "-o", output], "not a WebAssembly module"),
            (["build", runtime.scratch.path + "/none.wasm", "-o", output], "none.wasm"),
            (["build", "--bundle", runtime.scratch.path + "/no-bundle"], "config.json"),
        ]
        for (arguments, message) in cases {
            let result = try runtime.run(arguments, withRoot: false)
            #expect(result.status != 0)
            #expect(result.stderr.hasPrefix("mewz-runtime: ") && result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output))
        }
        let bundle = try runtime.bundle("hello")
        let inside = try runtime.run(["build", "--bundle", bundle, "-o", bundle + "/rootfs/x.img"], withRoot: false)
        #expect(inside.status != 0)
        #expect(inside.stderr.contains("would be written inside the directory it packs"))
        #expect(Self.entries(bundle + "/rootfs") == ["hello.wasm"])
    }

    /// list, verify (a damaged entry found, removed, exit 1), prune --all.
    @Test func cacheListVerifyAndPrune() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        settle()
        #expect(try runtime.run(["run", "--bundle", bundle, "fill"]).status == 0)
        let list = try runtime.run(["cache", "list"], withRoot: false)
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("KIND") == true)
        #expect(lines.dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["compiled", "rootfs"])
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix("ok") })

        let verify = try runtime.run(["cache", "verify"], withRoot: false)
        #expect(verify.status == 0)
        #expect(verify.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("ok ") })

        // Flip one byte of the ROFS entry's content: only the full check sees it.
        let rofs = try #require(Self.entries(runtime.cacheDirectory + "/rofs").first)
        let handle = try #require(FileHandle(forUpdatingAtPath: runtime.cacheDirectory + "/rofs/" + rofs))
        try handle.seek(toOffset: 4096 + 100)
        try handle.write(contentsOf: Data([0xFF]))
        try handle.close()
        #expect(try runtime.run(["cache", "list"], withRoot: false).stdout.contains("damaged") == false)
        let damaged = try runtime.run(["cache", "verify"], withRoot: false)
        #expect(damaged.status == 1)
        #expect(damaged.stdout.contains("damaged rootfs \(rofs.dropLast(4)): "))
        #expect(damaged.stdout.contains("(removed)"))
        #expect(Self.entries(runtime.cacheDirectory + "/rofs").isEmpty)

        let prune = try runtime.run(["cache", "prune"], withRoot: false)
        #expect(prune.status == 0)
        #expect(!prune.stdout.contains("deleted compiled"))  // this runtime still uses it
        let all = try runtime.run(["cache", "prune", "--all"], withRoot: false)
        #expect(all.stdout.contains("deleted compiled "))
        #expect(all.stdout.contains("Total reclaimed space: "))
        #expect(try runtime.run(["cache", "list"], withRoot: false).stdout.split(separator: "\n").count == 1)
        #expect(try runtime.run(["run", "--bundle", bundle, "again"]).stdout == "Hello, world!\n")
    }

    /// Several creates of one new module at once: all succeed, one compiles.
    /// Each container has its own bundle (so its own cgroup: a finished container's delete
    /// removes its cgroup, which would fail another's join of the same path, with runc too),
    /// all with one rootfs, so they share one module and one ROFS entry.
    @Test func concurrentCreatesShareOneBuild() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let first = try runtime.bundle("hello")
        var made = [first]
        for _ in 1..<3 {
            let other = try runtime.bundle("hello")
            try Self.setRoot(other, to: first + "/rootfs")
            made.append(other)
        }
        let bundles = made
        settle()
        let results = ResultBox()
        let group = DispatchGroup()
        for index in 0..<3 {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                results.append(try? runtime.run(["--debug", "run", "--bundle", bundles[index], "same-\(index)"]))
            }
        }
        group.wait()
        #expect(results.all.count == 3)
        for result in results.all {
            #expect(result?.status == 0, "stderr: \(result?.stderr ?? "(no result)")")
            #expect(result?.stdout == "Hello, world!\n")
        }
        let compiles = results.all.compactMap { $0 }.filter { $0.stderr.contains("compiling /hello.wasm") }
        #expect(compiles.count == 1)
        #expect(Self.entries(runtime.cacheDirectory + "/images").count == 1)
        #expect(Self.entries(runtime.cacheDirectory + "/rofs").count == 1)
        #expect(Self.entries(runtime.cacheDirectory + "/tmp").isEmpty)
    }

    /// A damaged cache entry is rebuilt on the next create, with a warning.
    @Test func damagedEntryIsRebuiltWithAWarning() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        #expect(try runtime.run(["run", "--bundle", bundle, "first"]).status == 0)
        let compiled = try #require(Self.entries(runtime.cacheDirectory + "/images").first)
        let path = runtime.cacheDirectory + "/images/" + compiled
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 6000)
        try handle.close()
        let run = try runtime.run(["--debug", "run", "--bundle", bundle, "second"])
        #expect(run.status == 0)
        #expect(run.stdout == "Hello, world!\n")
        #expect(run.stderr.contains("warning: cache entry \(path) is corrupt"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count > 6000)
    }

    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasSuffix(".lock") }.sorted()
    }

    static func setRoot(_ bundle: String, to root: String) throws {
        let url = URL(fileURLWithPath: bundle + "/config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw TestFailure("bad config")
        }
        config["root"] = ["path": root, "readonly": true]
        try JSONSerialization.data(withJSONObject: config).write(to: url)
    }
}

/// Results collected from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Runtime.Result?] = []
    var all: [Runtime.Result?] { lock.withLock { stored } }
    func append(_ result: Runtime.Result?) { lock.withLock { stored.append(result) } }
}
