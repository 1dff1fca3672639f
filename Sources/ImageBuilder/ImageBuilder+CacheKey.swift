import ImageFormat

extension ImageBuilder {
    /// Names the Wasm-to-C lowering and this build recipe. Bump it whenever
    /// WasmToC's output or the way images are put together changes, so old
    /// cached images are not reused.
    public static let compilerVersion = "mewz-wasmtoc-1"

    /// clang flags for every translation unit (followed by -I, -c, -o), for
    /// the default target; `compileFlags(for:)` gives any target's.
    /// - x86-64-v2 (SSE4.2, POPCNT; every x86-64 CPU since 2008): SSE4.1
    ///   rounding for f32/f64 floor, ceil, trunc and nearest, POPCNT, and
    ///   the SSE4.1 SIMD lowering (x86-64-v3 adds AVX2: CPUTarget).
    ///   -mtune=generic: -march alone also tunes for that old CPU model,
    ///   which turns every rotate into a slow SHLD (sha256: 2.2x native
    ///   with it, 1.0x without; hack/bench compute).
    /// - No red zone: the module runs in ring 0, where an exception or
    ///   interrupt pushes its frame onto the current stack.
    /// - -fno-strict-aliasing: linear memory is one byte array read and
    ///   written at every type; -fwrapv: Wasm integer arithmetic wraps;
    ///   -ffp-contract=off: Wasm forbids fusing a*b+c.
    /// - Function and data sections let ld.lld drop what is never called.
    /// - Stack-clash protection: a frame larger than a page touches each page
    ///   as it grows, so deep recursion meets the 4 KiB guard page below the
    ///   stack ("call stack exhausted") instead of jumping it into the memory
    ///   below. The driver ignores -fstack-clash-protection for an OS-less
    ///   target, so it goes to the compiler proper (clang 19 and 21 honour it).
    public static let compileFlags: [String] = [
        "-target", "x86_64-unknown-none", "-march=x86-64-v2", "-mtune=generic", "-std=c11", "-O2",
        "-ffreestanding", "-fno-pic", "-fno-pie", "-mno-red-zone",
        "-fno-stack-protector", "-fno-asynchronous-unwind-tables",
        "-fno-strict-aliasing", "-fwrapv", "-ffp-contract=off",
        "-ffunction-sections", "-fdata-sections", "-Xclang", "-fstack-clash-protection",
    ]

    /// The flags with `-march` set for `target`.
    public static func compileFlags(for target: CPUTarget) -> [String] {
        compileFlags.map { $0.hasPrefix("-march=") ? target.marchFlag : $0 }
    }

    /// ld.lld flags between `-T <guest>/link.ld` and `-o`.
    public static let linkFlags: [String] = ["-nostdlib", "-static", "--gc-sections"]

    /// SHA-256 over everything that decides an image's meaning: the module,
    /// the lowering, the guest library and the flags. Which clang or ld.lld
    /// built it is not part of the key: any supported one gives a correct
    /// image, and a cache hit must neither look for the tools nor miss
    /// because MEWZ_CC names another copy of the same compiler.
    public static func cacheKey(
        moduleDigest: SHA256Digest,
        guestDigest: SHA256Digest,
        compilerVersion: String = ImageBuilder.compilerVersion,
        compileFlags: [String] = ImageBuilder.compileFlags,
        linkFlags: [String] = ImageBuilder.linkFlags
    ) -> SHA256Digest {
        var hasher = SHA256()
        hasher.updateField(Array("mewz-image-cache-key".utf8))
        hasher.updateField(Array("image format \(ImageHeader.formatVersion)".utf8))
        hasher.updateField(moduleDigest.bytes)
        hasher.updateField(Array(compilerVersion.utf8))
        hasher.updateField(guestDigest.bytes)
        for list in [compileFlags, linkFlags] {
            hasher.updateField(Array("\(list.count)".utf8))
            for flag in list { hasher.updateField(Array(flag.utf8)) }
        }
        return hasher.finalize()
    }

    /// Few functions compile faster as one unit than as several processes.
    static func translationUnits(functionCount: Int, configured: Int) -> Int {
        functionCount < 200 ? 1 : max(configured, 1)
    }
}
