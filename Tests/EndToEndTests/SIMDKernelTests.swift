import Foundation
import Testing

/// The SIMD example kernels (oci/examples/conv_u8, matmul_f32, dot_i8: C built
/// with -msimd128) in a KVM VM print the same digest as the same C built
/// natively: v128 code through the whole pipeline, for the default CPU
/// target and, where the host has AVX2, for MEWZ_CPU_TARGET=x86-64-v3.
@Suite(.needsKVM, .serialized)
struct SIMDKernelTests {
    static let kernels: [(name: String, iterations: String)] = [("conv_u8", "9"), ("matmul_f32", "11"), ("dot_i8", "13")]

    static let hostFlags: [Substring] = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
    }()
    /// Every x86-64-v3 feature, as /proc/cpuinfo names them (abm is LZCNT).
    static let hostIsV3 = ["avx", "avx2", "bmi1", "bmi2", "fma", "movbe", "abm"].allSatisfy { hostFlags.contains(Substring($0)) }

    /// "" is the default (MEWZ_CPU_TARGET unset: the host's best level).
    static let targets: [String] = hostFlags.contains("avx2") ? ["", "x86-64-v2", "x86-64-v3"] : ["", "x86-64-v2"]

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
                                     environment: target.isEmpty ? [:] : ["MEWZ_CPU_TARGET": target])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == expected.stdout)
    }

    /// The image header (offset 32: the required CPU features) records
    /// AVX2 exactly when the image was compiled for x86-64-v3: by default,
    /// when this host has every v3 feature.
    @Test(arguments: targets)
    func headerRecordsTheTarget(target: String) throws {
        let runtime = try Runtime(freshCache: true)
        defer { runtime.cleanup() }
        let result = try runtime.run(["run", "--bundle", runtime.bundle("matmul_f32", args: ["/matmul_f32.wasm", "1"]),
                                      "simd-header"], environment: target.isEmpty ? [:] : ["MEWZ_CPU_TARGET": target])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let images = try FileManager.default.subpathsOfDirectory(atPath: runtime.cacheDirectory).filter { $0.hasSuffix(".img") }
        #expect(images.count == 1)
        let image = try #require(FileManager.default.contents(atPath: runtime.cacheDirectory + "/" + (images.first ?? "")))
        let features = image.count >= 40 ? image[32..<40].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : 0
        let avx2: UInt64 = 1 << 9, sse41: UInt64 = 1 << 3
        #expect(features & sse41 != 0)
        let wantsAVX2 = target == "x86-64-v3" || (target.isEmpty && Self.hostIsV3)
        #expect((features & avx2 != 0) == wantsAVX2, "features 0x\(String(features, radix: 16)) for target \"\(target)\"")
    }

    @Test func unknownCPUTargetIsOneLine() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let result = try runtime.run(["run", "--bundle", runtime.bundle("conv_u8"), "simd-bad-target"],
                                     environment: ["MEWZ_CPU_TARGET": "pentium"])
        #expect(result.status != 0)
        #expect(result.stdout == "")
        #expect(result.stderr.hasSuffix("MEWZ_CPU_TARGET=pentium is not a CPU target (use x86-64-v2, x86-64-v3 or host)\n"))
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
