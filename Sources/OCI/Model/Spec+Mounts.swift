extension Spec {
    /// One entry of config.json `mounts`, as given: which of them the guest gets is VolumePlan's
    /// decision.
    public struct Mount: Equatable, Sendable {
        /// An absolute path inside the container.
        public var destination: String
        /// "bind", "tmpfs", "proc", ...; nil when absent (options then say "bind" or not).
        public var type: String?
        public var source: String?
        public var options: [String]

        public init(destination: String, type: String? = nil, source: String? = nil, options: [String] = []) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    static func parseMounts(_ node: JSONNode) throws(OCIError) -> [Mount] {
        var mounts: [Mount] = []
        for element in try node.elements() {
            let destinationNode = try element.requiredMember("destination")
            let destination = try destinationNode.string()
            guard destination.hasPrefix("/") else { throw destinationNode.invalid("must be an absolute path") }
            guard !destination.utf8.contains(0) else { throw destinationNode.invalid("must not hold a NUL byte") }
            let type = try element.member("type")?.string()
            let source = try element.member("source")?.string()
            let options = try element.member("options")?.stringArray() ?? []
            mounts.append(Mount(destination: destination, type: type, source: source, options: options))
        }
        return mounts
    }
}
