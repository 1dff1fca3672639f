import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why an image could not be found, built or mapped. One line each, made by
/// the named constructors below.
public struct ImageBuildError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        case invalidModule, toolMissing, toolFailed, guestMissing, guestMismatch, cache, io, invalidImage, rootfs, configuration
    }

    public let kind: Kind
    public let description: String

    private init(_ kind: Kind, _ description: String) {
        self.kind = kind
        // One line, whatever the cause carried.
        self.description = String(description.map { $0.isNewline ? " " : $0 })
    }

    /// Decode, validation or lowering failed.
    public static func invalidModule(_ message: String) -> ImageBuildError {
        ImageBuildError(.invalidModule, "invalid module: \(message)")
    }

    /// The same error, prefixed with the module it is about ("/app.wasm: invalid module: ...").
    func naming(_ module: String) -> ImageBuildError {
        module.isEmpty ? self : ImageBuildError(kind, "\(module): \(description)")
    }

    /// `packages` is space separated: "clang-19 lld-19".
    public static func toolMissing(_ tool: String, packages: String, variable: String) -> ImageBuildError {
        let names = packages.split(separator: " ").map(String.init)
        let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "") : packages
        // "an ld.lld" is read letter by letter; "a clang" is a word.
        let article = tool.hasPrefix("ld") || tool.first.map({ "aeiou".contains($0) }) == true ? "an" : "a"
        return ImageBuildError(
            .toolMissing,
            "\(tool) not found: install the Debian packages \(list), or set \(variable) to \(article) \(tool) binary")
    }

    /// `variable` names a file that is not there or cannot be executed.
    public static func toolNotExecutable(variable: String, value: String) -> ImageBuildError {
        let packages = variable == "MEWZ_LD" ? "lld-19" : "clang-19"
        return ImageBuildError(
            .toolMissing,
            "\(variable)=\(value) is not an executable file (point it at one, or unset it and install the Debian package \(packages))")
    }

    public static func toolNotRunnable(_ path: String, errno code: Int32) -> ImageBuildError {
        ImageBuildError(.toolFailed, "cannot run \(path): \(errorText(code))")
    }

    /// A tool ran and failed; only the first lines of its stderr are kept.
    public static func toolFailed(_ tool: String, status: String, stderr: String) -> ImageBuildError {
        let summary = summarize(stderr)
        return ImageBuildError(.toolFailed, "\(tool) failed (\(status))" + (summary.isEmpty ? "" : ": \(summary)"))
    }

    public static func badLinkerOutput(_ path: String) -> ImageBuildError {
        ImageBuildError(.toolFailed, "ld.lld wrote \(path), which is not an x86-64 ELF file")
    }

    public static func unmappableLinkerOutput(_ path: String, segment: Int) -> ImageBuildError {
        ImageBuildError(.toolFailed, "ld.lld wrote \(path) with segment \(segment) at a file offset the monitor cannot map (not page-congruent with its address)")
    }

    /// A bundle's prebuilt image fails its checks.
    public static func badPrebuiltImage(_ error: ImageBuildError) -> ImageBuildError {
        ImageBuildError(error.kind, "prebuilt image \(error.description) (rebuild it with `mewz-runtime build` or remove it)")
    }

    public static func guestMissing(searched: [String]) -> ImageBuildError {
        ImageBuildError(
            .guestMissing,
            "guest library libmewz_guest.a not found (searched \(searched.joined(separator: ", "))); set MEWZ_GUEST to its directory")
    }

    public static func guestMismatch(_ message: String) -> ImageBuildError {
        ImageBuildError(.guestMismatch, message)
    }

    /// MEWZ_CPU_TARGET names no level this builder compiles for.
    public static func unknownCPUTarget(_ value: String, known: [String]) -> ImageBuildError {
        let list = known.count > 1 ? known.dropLast().joined(separator: ", ") + " or " + (known.last ?? "") : known.joined()
        return ImageBuildError(.configuration, "MEWZ_CPU_TARGET=\(value) is not a CPU target (use \(list))")
    }

    public static func cache(_ message: String) -> ImageBuildError {
        ImageBuildError(.cache, message)
    }

    /// A system call on `path` failed.
    public static func io(_ operation: String, _ path: String, errno code: Int32) -> ImageBuildError {
        ImageBuildError(.io, "cannot \(operation) \(path): \(errorText(code))")
    }

    public static func invalidImage(_ path: String, _ error: ImageFormatError) -> ImageBuildError {
        ImageBuildError(.invalidImage, "\(path): \(error)")
    }

    /// The rootfs directory itself cannot be opened as a directory.
    public static func rootfsOpen(_ rootfs: String, errno code: Int32) -> ImageBuildError {
        ImageBuildError(.rootfs, "cannot open rootfs \(rootfs): \(errorText(code))")
    }

    /// `path` (a host path inside the rootfs) cannot be read or listed.
    public static func rootfsUnreadable(_ path: String, errno code: Int32) -> ImageBuildError {
        ImageBuildError(.rootfs, "cannot read \(path) in the rootfs: \(errorText(code))")
    }

    /// What the rootfs holds cannot be a ROFS (a name or symlink target too
    /// long, the whole too large); `error` names the path inside it.
    public static func rootfsEntry(_ rootfs: String, _ error: ROFSError) -> ImageBuildError {
        ImageBuildError(.rootfs, "rootfs \(rootfs): \(error)")
    }

    /// `path` lies deeper than the walk goes (RootfsWalk.depthLimit).
    public static func rootfsTooDeep(_ path: String, limit: Int) -> ImageBuildError {
        ImageBuildError(.rootfs, "\(path) in the rootfs is more than \(limit) directories deep")
    }

    /// A file was modified, replaced or removed between the walk and the read.
    public static func rootfsChanged(_ path: String) -> ImageBuildError {
        ImageBuildError(.rootfs, "\(path) changed while the image was built; try again")
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// The first error line of a compiler's output and the two after it
    /// (warnings before it are noise), or the first three lines.
    static func summarize(_ output: String, lines count: Int = 3, width: Int = 240) -> String {
        let lines = output.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        let start = lines.firstIndex { $0.contains("error") } ?? 0
        return lines.dropFirst(start).prefix(count).map { $0.count > width ? $0.prefix(width) + "..." : $0 }
            .joined(separator: " | ")
    }
}
