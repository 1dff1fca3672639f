import Glibc
import ImageBuilder
import ImageFormat
import Monitor

/// The image files a container boots: the compiled module and the rootfs's ROFS, or one
/// prebuilt image holding both.
struct ContainerImages {
    let program: ImageFile
    /// nil when `program` holds the ROFS too.
    let filesystem: ImageFile?

    var files: [ImageFile] { [program] + (filesystem.map { [$0] } ?? []) }
}

extension Runtime {
    /// The prebuilt image a bundle may hold (`mewz-runtime build --bundle B`).
    public static let bundleImageName = "mewz.img"

    /// root.path made absolute. A relative one is the bundle's and must stay inside it, even
    /// through symlinks; an absolute one is taken as it is (podman and containerd pass the
    /// absolute path of a mount anywhere). The result has symlinks resolved, so the walk and
    /// the module lookup see the same directory.
    static func rootfsPath(_ path: String, bundle: String, source: String) throws(OCIError) -> String {
        let absolute = PathName.absolute(path, from: bundle)
        guard !path.hasPrefix("/") else { return absolute }
        let escapes = OCIError.invalidField(source: source, field: "root.path", reason: "\"\(path)\" leads outside the bundle \(bundle)")
        let lexical = PathName.clean(path)
        guard lexical != "..", !lexical.hasPrefix("../") else { throw escapes }
        guard let resolved = realPath(absolute) else { throw .system("open rootfs", absolute, errno: errno) }
        let bundleResolved = realPath(bundle) ?? bundle
        guard resolved == bundleResolved || resolved.hasPrefix(bundleResolved == "/" ? "/" : bundleResolved + "/") else {
            throw escapes
        }
        return resolved
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The annotation that chooses the guest's filesystem: "rootfs" (the default: the rootfs
    /// is the guest's read-only "/") or "none" (no filesystem and nothing preopened, what a
    /// WASI program run without --dir sees).
    public static let preopenAnnotation = "io.github.mewz-runtime.preopen"

    /// Whether the container gets its rootfs as a filesystem (preopenAnnotation).
    static func wantsFilesystem(_ annotations: [String: String], source: String) throws(OCIError) -> Bool {
        switch annotations[preopenAnnotation] {
        case nil, "rootfs": return true
        case "none": return false
        case let value?:
            throw .invalidField(source: source, field: "annotations[\"\(preopenAnnotation)\"]",
                                reason: "\"\(value)\" is neither \"rootfs\" nor \"none\"")
        }
    }

    /// A prebuilt image in the bundle when it is of this module and this rootfs (and, as every
    /// image read, of this guest ABI); otherwise the compiled module and the rootfs's ROFS
    /// from the cache, built on a miss. The walk of the rootfs comes first: its key decides.
    /// Without a filesystem, only the compiled module (no walk, no prebuilt image).
    func containerImages(_ module: WasmModuleFile, rootfs: String, bundle: String,
                         filesystem: Bool = true) throws(OCIError) -> ContainerImages {
        let progress = progressReporter()
        do {
            guard filesystem else {
                let builder = ImageBuilder(configuration: try buildConfiguration(progress: progress))
                return ContainerImages(program: try builder.compiledImage(forModule: module.bytes, name: module.path,
                                                                          moduleDigest: SHA256.hash(module.bytes)),
                                       filesystem: nil)
            }
            let walk = try RootfsWalk.walk(rootfs) { progress?($0) }
            let moduleDigest = SHA256.hash(module.bytes)
            let prebuiltPath = PathName.join(bundle, Self.bundleImageName)
            switch try ImageBuilder.prebuiltImage(at: prebuiltPath, moduleDigest: moduleDigest, rootfsKey: walk.key) {
            case .usable(let image):
                log.debug("using the prebuilt image \(image.path)")
                return ContainerImages(program: image, filesystem: nil)
            case .stale(let reason):
                progress?("mewz-runtime: not using the prebuilt image \(prebuiltPath): \(reason); building through the cache")
            case .absent:
                break
            }
            let builder = ImageBuilder(configuration: try buildConfiguration(progress: progress))
            let program = try builder.compiledImage(forModule: module.bytes, name: module.path, moduleDigest: moduleDigest)
            return ContainerImages(program: program, filesystem: try builder.rootfsImage(for: walk))
        } catch {
            throw .build(error.description)
        }
    }

    /// Where to build and cache, with --cache-dir over MEWZ_CACHE_DIR.
    func buildConfiguration(progress: (@Sendable (String) -> Void)?) throws(ImageBuildError) -> BuildConfiguration {
        var environment = ProcessControl.environment
        if let cacheDirectory { environment["MEWZ_CACHE_DIR"] = PathName.absolute(cacheDirectory, from: (try? PathName.currentDirectory()) ?? "/") }
        var configuration = try BuildConfiguration.resolve(executablePath: ProcessControl.executablePath, environment: environment,
                                                           hostCPUFeatures: HostCPU.features())
        configuration.progress = progress
        return configuration
    }

    /// Progress and warnings of a build. A cold build takes seconds: say so on an interactive
    /// stderr. Under conmon or the containerd shim stderr is the container's log, so there the
    /// lines go only to the debug log. nil when nobody would see them.
    func progressReporter() -> (@Sendable (String) -> Void)? {
        let log = self.log
        let interactive = isatty(2) == 1
        guard log.debugEnabled || interactive else { return nil }
        return { line in
            log.debug(line)
            if interactive { _ = FileIO.writeAll(2, Array("\(line)\n".utf8)) }
        }
    }
}
