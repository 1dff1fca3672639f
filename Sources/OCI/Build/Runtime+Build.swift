import Glibc
import ImageBuilder
import ImageFormat

extension Runtime {
    /// `build`: one self-contained image from a bundle, or from a module and a directory.
    /// Nothing is written but the image (atomically) and the cache entry of the compiled module.
    public func build(_ options: BuildOptions) throws(OCIError) {
        let cwd = try PathName.currentDirectory()
        let log = self.log
        let progress: @Sendable (String) -> Void = { line in
            log.debug(line)
            _ = FileIO.writeAll(2, Array("\(line)\n".utf8))
        }
        let output: String
        let module: (path: String, bytes: [UInt8])
        let rootfs: String?
        if let modulePath = options.module {
            let path = PathName.absolute(modulePath, from: cwd)
            module = (modulePath, try Self.readModule(path))
            rootfs = options.directory.map { PathName.absolute($0, from: cwd) }
            output = PathName.absolute(options.output ?? "", from: cwd)
        } else {
            let bundle = PathName.absolute(options.bundle ?? ".", from: cwd)
            let configPath = PathName.join(bundle, "config.json")
            let spec = try Spec.parse(try FileIO.readFile(configPath, limit: Spec.maximumConfigSize), source: configPath)
            let root = try Self.rootfsPath(spec.root.path, bundle: bundle, source: configPath)
            let file = try WasmModuleFile.load(process: spec.process, rootfs: root)
            module = (file.path, file.bytes)
            rootfs = try Self.wantsFilesystem(spec.annotations, source: configPath) ? root : nil
            output = PathName.absolute(options.output ?? PathName.join(bundle, Self.bundleImageName), from: cwd)
        }
        if let rootfs { try Self.checkOutside(output, rootfs: rootfs) }
        do {
            let walk = try rootfs.map { root throws(ImageBuildError) in try RootfsWalk.settledWalk(root) { progress($0) } }
            let builder = ImageBuilder(configuration: try buildConfiguration(progress: progress))
            let compiled = try builder.compiledImage(forModule: module.bytes, name: module.path)
            let header = try builder.writeImage(compiled: compiled, rootfs: walk, to: output)
            let size = header.rofs.end > 0 ? header.rofs.end : header.elf.end
            progress("mewz-runtime: wrote \(output) (\(Self.megabytes(size)))")
        } catch {
            throw .build(error.description)
        }
    }

    private static func readModule(_ path: String) throws(OCIError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .moduleOpen(path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .moduleNotRegular(path) }
        let bytes = try FileIO.readFile(path, limit: WasmModuleFile.maximumSize)
        try WasmModuleFile.checkPreamble(bytes, path: path)
        return bytes
    }

    /// An image written inside the tree it packs would change that tree (and never match it).
    private static func checkOutside(_ output: String, rootfs: String) throws(OCIError) {
        guard let directory = realpath(PathName.directory(of: output), nil) else {
            throw .system("open", PathName.directory(of: output), errno: errno)
        }
        defer { free(directory) }
        let parent = String(cString: directory)
        guard let root = realpath(rootfs, nil) else { throw .system("open rootfs", rootfs, errno: errno) }
        defer { free(root) }
        let rootPath = String(cString: root)
        if parent == rootPath || parent.hasPrefix(rootPath == "/" ? "/" : rootPath + "/") {
            throw .usage("the image \(output) would be written inside the directory it packs (\(rootPath)); choose -o elsewhere")
        }
    }

    static func megabytes(_ bytes: UInt64) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
