import Foundation
import Testing

/// The SIMD example kernels (oci/examples/conv_u8, matmul_f32, dot_i8: C built
/// with -msimd128) in a KVM VM print the same digest as the same C built
/// natively: v128 code through the whole pipeline, for the default CPU
/// target and, where the host has AVX2, for MEWZ_CPU_TARGET=x86-64-v3.
@Suite(.needsKVM, .serialized)
struct SIMDKernelTests {
    static let kernels: [(name: String, iterations: String)] = [("conv_u8", "9"), ("matmul_f32", "11"), ("dot_i8", "13")]

    static let targets: [String] = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        return flags.contains("avx2") ? ["x86-64-v2", "x86-64-v3"] : ["x86-64-v2"]
    }()

    /// Debian's clang, else the Swift toolchain's (both build host programs).
    static let clang = ["/usr/bin/clang-19", "/opt/swift/usr/bin/clang", "/usr/bin/clang"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(arguments: kernels, targets)
    func kernelMatchesItsNativeBuild(kernel: (name: String, iterations: String), target: String) throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let clang = try #require(Self.clang, "no clang to build the native reference")
        let source = Runtime.repositoryRoot.appendingPathComponent("oci/examples/\(kernel.name)/src/\(kernel.name).c").path
        let native = runtime.scratch.appendingPathComponent(kernel.name).path
        let build = try Runtime.runTool(clang, ["-O2", "-march=x86-64-v2", source, "-o", native])
        #expect(build.status == 0, "native build: \(build.stderr)")
        let expected = try Runtime.runTool(native, [kernel.iterations])
        #expect(expected.status == 0 && expected.stdout.hasPrefix(kernel.name))

        let bundle = try runtime.bundle(kernel.name, args: ["/\(kernel.name).wasm", kernel.iterations])
        let result = try runtime.run(["run", "--bundle", bundle, "simd-\(kernel.name)"],
                                     environment: ["MEWZ_CPU_TARGET": target])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == expected.stdout)
    }

    @Test func unknownCPUTargetIsOneLine() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let result = try runtime.run(["run", "--bundle", runtime.bundle("conv_u8"), "simd-bad-target"],
                                     environment: ["MEWZ_CPU_TARGET": "pentium"])
        #expect(result.status != 0)
        #expect(result.stdout == "")
        #expect(result.stderr.hasSuffix("MEWZ_CPU_TARGET=pentium is not a CPU target (use x86-64-v2 or x86-64-v3)\n"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(runtime.leftoverState().isEmpty)
    }
}

extension Runtime {
    /// Runs a helper program (not the runtime) to completion.
    static func runTool(_ executable: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self), signal: nil)
    }
}
