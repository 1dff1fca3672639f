extension Spec {
    /// The largest config.json read; real ones are a few KiB.
    static let maximumConfigSize = 16 << 20

    /// Parses config.json. `source` names the file in every error ("<bundle>/config.json").
    public static func parse(_ bytes: [UInt8], source: String) throws(OCIError) -> Spec {
        let document = try JSONDocument.parse(bytes, source: source)
        let root = document.rootNode
        guard !root.isNull else {
            throw .wrongType(source: source, field: "(root)", expected: "an object", found: "null")
        }
        _ = try root.members()  // the top level must be an object

        let ociVersionNode = try root.requiredMember("ociVersion")
        let ociVersion = try ociVersionNode.string()
        guard Spec.isSupported(ociVersion: ociVersion) else {
            throw ociVersionNode.invalid("\"\(ociVersion)\" is not supported (mewz-runtime implements 1.x, up to \(ContainerState.ociVersion))")
        }
        let process = try parseProcess(root.requiredMember("process"))
        let rootNode = try root.requiredMember("root")
        let rootPath = try rootNode.requiredMember("path").string()
        guard !rootPath.isEmpty else { throw try rootNode.requiredMember("path").invalid("must not be empty") }
        let readonly = try rootNode.member("readonly")?.bool() ?? false

        let annotations = try root.member("annotations")?.stringMap() ?? [:]
        let hooks = try root.member("hooks").map { node throws(OCIError) in try parseHooks(node) } ?? Hooks()
        var spec = Spec(ociVersion: ociVersion, process: process,
                        root: Root(path: rootPath, readonly: readonly),
                        annotations: annotations, hooks: hooks)
        if let linux = try root.member("linux") {
            spec.linux = try parseLinux(linux)
        }
        if let mounts = try root.member("mounts") {
            spec.mounts = try parseMounts(mounts)
        }
        return spec
    }

    /// Any 1.x: runtime-spec minor versions only add fields, which are ignored when unknown.
    static func isSupported(ociVersion: String) -> Bool {
        let core = ociVersion.split(separator: "-", maxSplits: 1).first.map(String.init) ?? ""
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "1" else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    private static func parseLinux(_ node: JSONNode) throws(OCIError) -> Linux {
        var linux = Linux()
        for element in try node.member("namespaces")?.elements() ?? [] {
            let typeNode = try element.requiredMember("type")
            guard let kind = Namespace.Kind(rawValue: try typeNode.string()) else {
                throw typeNode.invalid("is not a namespace type (\(Namespace.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !linux.namespaces.contains(where: { $0.kind == kind }) else {
                throw typeNode.invalid("\"\(kind.rawValue)\" appears twice")
            }
            var path: String?
            if let pathNode = try element.member("path") {
                let text = try pathNode.string()
                if !text.isEmpty {
                    guard text.hasPrefix("/") else { throw pathNode.invalid("must be an absolute path") }
                    path = text
                }
            }
            linux.namespaces.append(Namespace(kind: kind, path: path))
        }
        if let pathNode = try node.member("cgroupsPath") {
            let text = try pathNode.string()
            linux.cgroupsPath = text.isEmpty ? nil : text
        }
        if let resources = try node.member("resources") {
            linux.resources = try parseResources(resources)
        }
        return linux
    }

    /// The document `update --resources` reads: a linux.resources object on its own, as runc
    /// takes it. Fields mewz-runtime does not apply (blockIO, hugepageLimits, unified, ...) are
    /// ignored, as they are in config.json.
    public static func parseResourcesDocument(_ bytes: [UInt8], source: String) throws(OCIError) -> Resources {
        let document = try JSONDocument.parse(bytes, source: source)
        let root = document.rootNode
        guard !root.isNull else {
            throw .wrongType(source: source, field: "(root)", expected: "an object", found: "null")
        }
        _ = try root.members()  // an object
        return try parseResources(root)
    }

    private static func parseResources(_ node: JSONNode) throws(OCIError) -> Resources {
        var resources = Resources()
        if let memory = try node.member("memory") {
            resources.memoryLimit = try memory.member("limit")?.int64()
            resources.memoryReservation = try memory.member("reservation")?.int64()
            resources.memorySwap = try memory.member("swap")?.int64()
        }
        if let pids = try node.member("pids") {
            resources.pidsLimit = try pids.member("limit")?.int64()
        }
        if let cpu = try node.member("cpu") {
            resources.cpuShares = try cpu.member("shares").map { node throws(OCIError) in try node.unsigned() }
            resources.cpuQuota = try cpu.member("quota")?.int64()
            resources.cpuPeriod = try cpu.member("period").map { node throws(OCIError) in try node.unsigned() }
            resources.cpusetCPUs = try cpu.member("cpus")?.string()
            resources.cpusetMems = try cpu.member("mems")?.string()
        }
        return resources
    }

    private static func parseProcess(_ node: JSONNode) throws(OCIError) -> Process {
        let terminal = try node.member("terminal")?.bool() ?? false
        let argsNode = try node.requiredMember("args")
        let argNodes = try argsNode.elements()
        var args: [String] = []
        for element in argNodes {
            args.append(try element.string())
        }
        guard let first = argNodes.first else { throw argsNode.invalid("must not be empty") }
        guard !args[0].isEmpty else { throw first.invalid("must not be empty") }

        var env: [String] = []
        for element in try node.member("env")?.elements() ?? [] {
            let entry = try element.string()
            guard let equals = entry.firstIndex(of: "=") else {
                throw element.invalid("must have the form NAME=VALUE")
            }
            guard equals != entry.startIndex else { throw element.invalid("has an empty variable name") }
            env.append(entry)
        }

        let cwdNode = try node.requiredMember("cwd")
        let cwd = try cwdNode.string()
        guard cwd.hasPrefix("/") else { throw cwdNode.invalid("must be an absolute path") }
        var process = Process(terminal: terminal, args: args, env: env, cwd: cwd)
        if let size = try node.member("consoleSize") {
            func dimension(_ key: String) throws(OCIError) -> UInt16 {
                let field = try size.requiredMember(key)
                let value = try field.int64()
                guard value >= 0 && value <= Int64(UInt16.max) else { throw field.invalid("is out of range") }
                return UInt16(value)
            }
            process.consoleSize = ConsoleSize(height: try dimension("height"), width: try dimension("width"))
        }
        return process
    }

    private static func parseHooks(_ node: JSONNode) throws(OCIError) -> Hooks {
        func list(_ key: String) throws(OCIError) -> [Hook] {
            guard let array = try node.member(key) else { return [] }
            var hooks: [Hook] = []
            for element in try array.elements() {
                hooks.append(try parseHook(element))
            }
            return hooks
        }
        var hooks = Hooks()
        for (point, _) in hooks.byPoint {
            _ = hooks.set(point, try list(point))
        }
        return hooks
    }

    private static func parseHook(_ node: JSONNode) throws(OCIError) -> Hook {
        let pathNode = try node.requiredMember("path")
        let path = try pathNode.string()
        guard path.hasPrefix("/") else { throw pathNode.invalid("must be an absolute path") }
        let args = try node.member("args")?.stringArray() ?? []
        let env = try node.member("env")?.stringArray()
        var timeout: Int64?
        if let timeoutNode = try node.member("timeout") {
            let seconds = try timeoutNode.int64()
            guard seconds > 0 else { throw timeoutNode.invalid("must be greater than zero") }
            timeout = seconds
        }
        return Hook(path: path, args: args, env: env, timeout: timeout)
    }
}
