import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the builder keeps images, where it finds the guest library, and
/// how it reports progress.
public struct BuildConfiguration: Sendable {
    public var cacheDirectory: String
    /// Contains libmewz_guest.a, link.ld and include/.
    public var guestDirectory: String
    /// Read for MEWZ_CC, MEWZ_LD and PATH, and passed to clang and ld.lld.
    public var environment: [String: String]
    /// Receives lines like "mewz-runtime: compiling hello.wasm (123
    /// functions, 2 units)", only when an image is actually built.
    public var progress: (@Sendable (String) -> Void)?
    /// Upper bound on translation units, compiled in parallel; modules with
    /// few functions use one.
    public var translationUnits: Int
    /// The CPU level images are compiled for (MEWZ_CPU_TARGET).
    public var cpuTarget: CPUTarget

    public init(
        cacheDirectory: String,
        guestDirectory: String,
        environment: [String: String] = [:],
        progress: (@Sendable (String) -> Void)? = nil,
        translationUnits: Int = BuildConfiguration.defaultTranslationUnits,
        cpuTarget: CPUTarget = .x86_64_v2
    ) {
        self.cacheDirectory = cacheDirectory
        self.guestDirectory = guestDirectory
        self.environment = environment
        self.progress = progress
        self.translationUnits = translationUnits
        self.cpuTarget = cpuTarget
    }

    /// The number of online CPUs, at most 8.
    public static var defaultTranslationUnits: Int {
        min(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1), 8)
    }

    static let guestLibraryName = "libmewz_guest.a"

    /// Cache: MEWZ_CACHE_DIR, else /var/cache/mewz-runtime for root, else
    /// $XDG_CACHE_HOME/mewz-runtime or ~/.cache/mewz-runtime.
    /// Guest: MEWZ_GUEST, else <dir of executablePath>/../lib/mewz-runtime,
    /// else <dir of executablePath>/mewz-guest; an error if none has
    /// libmewz_guest.a (or if MEWZ_GUEST is set and lacks it).
    /// CPU target: MEWZ_CPU_TARGET (x86-64-v2, x86-64-v3, or host: the
    /// default, the best level `hostCPUFeatures` has).
    public static func resolve(executablePath: String, environment: [String: String],
                               hostCPUFeatures: CPUFeatures = []) throws(ImageBuildError) -> BuildConfiguration
    {
        try resolve(executablePath: executablePath, environment: environment, isRoot: geteuid() == 0,
                    hostCPUFeatures: hostCPUFeatures)
    }

    static func resolve(executablePath: String, environment: [String: String], isRoot: Bool,
                        hostCPUFeatures: CPUFeatures = []) throws(ImageBuildError) -> BuildConfiguration
    {
        BuildConfiguration(
            cacheDirectory: try cacheDirectory(environment: environment, isRoot: isRoot),
            guestDirectory: try guestDirectory(executablePath: executablePath, environment: environment),
            environment: environment,
            cpuTarget: try CPUTarget.resolve(environment: environment, host: hostCPUFeatures))
    }

    /// The cache directory alone (`mewz-runtime cache` needs no guest library).
    public static func cacheDirectory(environment: [String: String]) throws(ImageBuildError) -> String {
        try cacheDirectory(environment: environment, isRoot: geteuid() == 0)
    }

    static func cacheDirectory(environment: [String: String], isRoot: Bool) throws(ImageBuildError) -> String {
        if let directory = environment["MEWZ_CACHE_DIR"], !directory.isEmpty { return directory }
        if isRoot { return "/var/cache/mewz-runtime" }
        // The XDG spec says to ignore a relative XDG_CACHE_HOME.
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/mewz-runtime" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/mewz-runtime" }
        throw .cache("no cache directory: HOME is not set; set MEWZ_CACHE_DIR")
    }

    static func guestDirectory(executablePath: String, environment: [String: String]) throws(ImageBuildError) -> String {
        if let directory = environment["MEWZ_GUEST"], !directory.isEmpty {
            guard FileSystem.isRegularFile(directory + "/" + guestLibraryName) else {
                throw .guestMissing(searched: [directory + " (MEWZ_GUEST)"])
            }
            return directory
        }
        let executableDirectory = FileSystem.directoryName(executablePath)
        let candidates = [executableDirectory + "/../lib/mewz-runtime", executableDirectory + "/mewz-guest"]
        guard let found = candidates.first(where: { FileSystem.isRegularFile($0 + "/" + guestLibraryName) }) else {
            throw .guestMissing(searched: candidates)
        }
        return found
    }
}
