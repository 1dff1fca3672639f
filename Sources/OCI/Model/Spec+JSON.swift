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

        let ociVersion = try root.requiredMember("ociVersion").string()
        let process = try parseProcess(root.requiredMember("process"))
        let rootNode = try root.requiredMember("root")
        let rootPath = try rootNode.requiredMember("path").string()
        guard !rootPath.isEmpty else { throw try rootNode.requiredMember("path").invalid("must not be empty") }
        let readonly = try rootNode.member("readonly")?.bool() ?? false

        let annotations = try root.member("annotations")?.stringMap() ?? [:]
        let hooks = try root.member("hooks").map { node throws(OCIError) in try parseHooks(node) } ?? Hooks()
        var memoryLimit: Int64?
        if let limit = try root.member("linux")?.member("resources")?.member("memory")?.member("limit") {
            memoryLimit = try limit.int64()
        }
        return Spec(ociVersion: ociVersion, process: process,
                    root: Root(path: rootPath, readonly: readonly),
                    annotations: annotations, hooks: hooks, memoryLimit: memoryLimit)
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
        return Process(terminal: terminal, args: args, env: env, cwd: cwd)
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
        return Hooks(prestart: try list("prestart"), createRuntime: try list("createRuntime"),
                     createContainer: try list("createContainer"), startContainer: try list("startContainer"),
                     poststart: try list("poststart"), poststop: try list("poststop"))
    }

    private static func parseHook(_ node: JSONNode) throws(OCIError) -> Hook {
        let pathNode = try node.requiredMember("path")
        let path = try pathNode.string()
        guard path.hasPrefix("/") else { throw pathNode.invalid("must be an absolute path") }
        let args = try node.member("args")?.stringArray() ?? []
        let env = try node.member("env")?.stringArray() ?? []
        var timeout: Int64?
        if let timeoutNode = try node.member("timeout") {
            let seconds = try timeoutNode.int64()
            guard seconds > 0 else { throw timeoutNode.invalid("must be greater than zero") }
            timeout = seconds
        }
        return Hook(path: path, args: args, env: env, timeout: timeout)
    }
}
