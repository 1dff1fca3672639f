import ImageFormat
import WasmCore
import WasmToC

extension ImageBuilder {
    /// The miss path: module -> C -> objects -> ELF -> image at `output`.
    /// Works in a private directory under `<cache>/tmp`, removed on every
    /// exit; the image appears at `output` whole or not at all.
    func build(_ bytes: [UInt8], name: String, moduleDigest: SHA256Digest, key: SHA256Digest, output: String)
        throws(ImageBuildError)
    {
        let clock = ContinuousClock()
        let start = clock.now
        let module: Module
        do {
            module = try Self.checkedModule(bytes)
        } catch {
            throw error.naming(name)
        }
        let units = Self.translationUnits(functionCount: module.code.count, configured: configuration.translationUnits)
        report("compiling \(name) (\(module.code.count) functions, \(units) unit\(units == 1 ? "" : "s"))")

        let lowered: LoweredModule
        do {
            lowered = try CLowering.lower(module, options: LoweringOptions(translationUnits: units))
        } catch {
            throw ImageBuildError.invalidModule("\(error)").naming(name)
        }
        let guest = GuestLibrary(directory: configuration.guestDirectory)
        try guest.checkABIVersion()
        let toolchain = try Toolchain.discover(environment: configuration.environment)

        let temporaryRoot = temporaryDirectory
        try FileSystem.makeDirectories(temporaryRoot)
        FileSystem.removeStaleEntries(in: temporaryRoot, olderThan: Self.staleAge)
        let workDirectory = try FileSystem.makeTemporaryDirectory(in: temporaryRoot, prefix: "build-\(key.hex.prefix(16))-")
        defer { FileSystem.removeTree(workDirectory) }

        var objects: [String] = []
        var compiles: [ToolInvocation] = []
        for file in lowered.files {
            guard Self.isPlainFileName(file.name) else {
                throw .invalidModule("the C lowering produced a file named \"\(file.name)\"")
            }
            let path = workDirectory + "/" + file.name
            try FileSystem.writeFile(path, Array(file.contents.utf8))
            guard file.name.hasSuffix(".c") else { continue }
            let object = String(path.dropLast(2)) + ".o"
            objects.append(object)
            compiles.append(
                ToolInvocation(
                    executable: toolchain.compiler,
                    arguments: Self.compileFlags(for: configuration.cpuTarget)
                        + ["-I", guest.include, "-c", path, "-o", object],
                    label: "clang (\(file.name))"))
        }
        try ToolRunner.run(compiles, concurrency: units, environment: configuration.environment)
        report("linking \(name) (compiled in \(Self.seconds(clock.now - start)))")

        let elfPath = workDirectory + "/module.elf"
        let link = ToolInvocation(
            executable: toolchain.linker,
            arguments: ["-T", guest.linkerScript] + Self.linkFlags + ["-o", elfPath] + objects + [guest.archive],
            label: "ld.lld")
        try ToolRunner.run([link], concurrency: 1, environment: configuration.environment)
        let elf = try FileSystem.readFile(elfPath)
        guard Self.isX86_64ELF(elf) else { throw .badLinkerOutput(elfPath) }
        if let segment = Self.unmappableSegment(elf) { throw .unmappableLinkerOutput(elfPath, segment: segment) }

        let header = ImageHeader(
            requiredCPUFeatures: configuration.cpuTarget.features,
            memoryMinPages: lowered.memoryMinPages,
            memoryMaxPages: lowered.memoryMaxPages,
            moduleDigest: moduleDigest,
            cacheKey: key)
        let image = ImageWriter.image(header: header, elf: elf)
        // Never publish an image the reader would refuse.
        do {
            _ = try ImageReader.header(of: image)
        } catch {
            throw .invalidImage(output, error)
        }
        try FileSystem.writeFileAtomically(output, image)
        report("built \(name) in \(Self.seconds(clock.now - start))")
    }

    static func checkedModule(_ bytes: [UInt8]) throws(ImageBuildError) -> Module {
        let module: Module
        do {
            module = try Module.decode(bytes)
        } catch {
            throw .invalidModule("\(error)")
        }
        do {
            try module.validate()
        } catch {
            throw .invalidModule("\(error)")
        }
        return module
    }

    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }

    /// ELF magic, 64-bit class, little endian, machine x86-64.
    static func isX86_64ELF(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 20 && bytes[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]) && bytes[4] == 2 && bytes[5] == 1
            && bytes[18] == 0x3E && bytes[19] == 0
    }

    /// The index of the first PT_LOAD whose file offset and address differ modulo the page
    /// size: the monitor maps segments from the image file, so each must be page-congruent
    /// (ld.lld's layout with its default 4 KiB max-page-size on x86-64; link.ld aligns each).
    static func unmappableSegment(_ elf: [UInt8]) -> Int? {
        func value(_ offset: Int, _ size: Int) -> UInt64? {
            guard offset >= 0, size <= 8, offset <= elf.count - size else { return nil }
            return (0..<size).reduce(UInt64(0)) { $0 | UInt64(elf[offset + $1]) << (8 * UInt64($1)) }
        }
        guard let table = value(32, 8), let entrySize = value(54, 2), let count = value(56, 2), entrySize == 56,
              table < UInt64(elf.count) else { return 0 }
        for index in 0..<Int(count) {
            let base = Int(table) + index * 56
            guard let type = value(base, 4), let offset = value(base + 8, 8), let address = value(base + 16, 8),
                  let fileSize = value(base + 32, 8) else { return index }
            if type == 1, fileSize > 0, offset % ImageHeader.pageSize != address % ImageHeader.pageSize { return index }
        }
        return nil
    }

    /// "1.23 s".
    static func seconds(_ duration: Duration) -> String {
        let centiseconds = duration.components.seconds * 100 + duration.components.attoseconds / 10_000_000_000_000_000
        let fraction = centiseconds % 100
        return "\(centiseconds / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
    }
}
