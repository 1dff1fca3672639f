import Foundation
import Testing

/// The hello bundle through `mewz-runtime run`: args, env, exit status and
/// the image cache, all through the real binary in a real KVM VM.
@Suite(.needsKVM, .serialized)
struct HelloTests {
    @Test func greetsArgumentWithEnvironment() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let result = try runtime.run(["run", "--bundle", runtime.bundle("hello"), "hello-1"])
        #expect(result.stdout == "Hello, world!\n")
        #expect(result.stderr == "")
        #expect(result.status == 0)
        #expect(runtime.leftoverState().isEmpty)
    }

    @Test(arguments: [
        (["/hello.wasm", "unikernel"], ["GREETING=Bonjour"], "Bonjour, unikernel!\n", Int32(0)),
        (["/hello.wasm", "you", "7"], ["GREETING=Hi"], "Hi, you!\n", Int32(7)),
        (["/hello.wasm", "max", "255"], ["A=1", "GREETING=Hey", "B=2"], "Hey, max!\n", Int32(255)),
        (["/hello.wasm"], [], "Hello, nobody!\n", Int32(0)),
    ])
    func argumentsEnvironmentAndStatus(args: [String], env: [String], expected: String,
                                       status: Int32) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello", args: args, env: env)
        let result = try runtime.run(["run", "--bundle", bundle, "hello-args"])
        #expect(result.stdout == expected)
        #expect(result.status == status)
        if args.count > 2 {
            #expect(result.stderr.contains("exiting with status \(status)\n"))
        }
    }

    /// A memory limit that leaves room for the module's memory runs it.
    @Test func runsUnderAMemoryLimit() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("features", memoryLimit: 64 << 20)
        let result = try runtime.run(["run", "--bundle", bundle, "limited"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasSuffix("global: 8\n"))
    }

    @Test func secondRunUsesTheCacheWithoutTheToolchain() throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let bundle = try runtime.bundle("hello")
        let cold = try runtime.run(["run", "--bundle", bundle, "cache-1"])
        #expect(cold.status == 0)
        #expect(cold.stdout == "Hello, world!\n")
        let images = try FileManager.default.subpathsOfDirectory(atPath: runtime.cacheDirectory)
            .filter { $0.hasSuffix(".img") }
        #expect(images.count == 1)

        // With no compiler or linker reachable, only a cache hit can succeed.
        let warm = try runtime.run(["run", "--bundle", bundle, "cache-2"],
                                   environment: ["MEWZ_CC": "/nonexistent/clang",
                                                 "MEWZ_LD": "/nonexistent/ld.lld"])
        #expect(warm.status == 0)
        #expect(warm.stdout == "Hello, world!\n")
        #expect(warm.stderr == "")
    }
}
