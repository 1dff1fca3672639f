import CJSONC

/// mewz-state.json through json-c. The "runtime" marker and the file name keep it apart from
/// runc's state.json.
extension ContainerState {
    static let runtimeMarker = "mewz-runtime"
    static let formatVersion: Int64 = 2
    static let fileName = "mewz-state.json"
    static let maximumFileSize = 1 << 20

    public func encoded() -> [UInt8] {
        guard let object = json_object_new_object() else { return [] }
        defer { json_object_put(object) }
        func add(_ key: String, _ value: OpaquePointer?) { json_object_object_add(object, key, value) }
        func string(_ text: String) -> OpaquePointer? { json_object_new_string_len(text, Int32(text.utf8.count)) }
        func stringArray(_ texts: [String]) -> OpaquePointer? {
            let array = json_object_new_array()
            for text in texts { json_object_array_add(array, string(text)) }
            return array
        }
        add("runtime", string(ContainerState.runtimeMarker))
        add("formatVersion", json_object_new_int64(ContainerState.formatVersion))
        add("id", string(id))
        add("pid", json_object_new_int64(Int64(pid)))
        add("pidStartTime", json_object_new_uint64(pidStartTime))
        add("bundle", string(bundle))
        add("rootfs", string(rootfs))
        add("createdSeconds", json_object_new_int64(created.seconds))
        add("createdNanoseconds", json_object_new_int64(Int64(created.nanoseconds)))
        let annotationObject = json_object_new_object()
        for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
            json_object_object_add(annotationObject, key, string(value))
        }
        add("annotations", annotationObject)
        add("configDigest", string(configDigest))
        add("modulePath", string(modulePath))
        add("imagePath", string(imagePath))
        if let cgroup {
            let directories = json_object_new_object()
            for (key, directory) in cgroup.directories.sorted(by: { $0.key < $1.key }) {
                json_object_object_add(directories, key, string(directory))
            }
            add("cgroup", directories)
        }
        let hookObject = json_object_new_object()
        for (point, list) in hooks.byPoint where !list.isEmpty {
            let array = json_object_new_array()
            for hook in list {
                let entry = json_object_new_object()
                json_object_object_add(entry, "path", string(hook.path))
                json_object_object_add(entry, "args", stringArray(hook.args))
                if let env = hook.env { json_object_object_add(entry, "env", stringArray(env)) }
                if let timeout = hook.timeout { json_object_object_add(entry, "timeout", json_object_new_int64(timeout)) }
                json_object_array_add(array, entry)
            }
            json_object_object_add(hookObject, point, array)
        }
        add("hooks", hookObject)
        let flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE
        guard let text = json_object_to_json_string_ext(object, flags) else { return [] }
        return Array(String(cString: text).utf8) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8], source: String) throws(OCIError) -> ContainerState {
        let document = try JSONDocument.parse(bytes, source: source)
        let root = document.rootNode
        guard try root.member("runtime")?.string() == runtimeMarker else {
            throw .invalidState(path: source, reason: "not a mewz-runtime state file")
        }
        let version = try root.requiredMember("formatVersion").int64()
        guard version == formatVersion else {
            throw .invalidState(path: source, reason: "unsupported state format version \(version)")
        }
        let pidNode = try root.requiredMember("pid")
        let pid = try pidNode.int64()
        guard pid > 0 && pid <= Int64(Int32.max) else { throw pidNode.invalid("is out of range") }
        let startNode = try root.requiredMember("pidStartTime")
        let startTime = try startNode.int64()
        guard startTime >= 0 else { throw startNode.invalid("is out of range") }
        let nanosecondsNode = try root.requiredMember("createdNanoseconds")
        let nanoseconds = try nanosecondsNode.int64()
        guard nanoseconds >= 0 && nanoseconds < 1_000_000_000 else { throw nanosecondsNode.invalid("is out of range") }
        var cgroup: ContainerCgroup?
        if let directories = try root.member("cgroup")?.stringMap() {
            cgroup = ContainerCgroup(directories: directories)
        }
        var hooks = Spec.Hooks()
        if let hookObject = try root.member("hooks") {
            for (point, node) in try hookObject.members() {
                var list: [Spec.Hook] = []
                for element in try node.elements() {
                    list.append(Spec.Hook(path: try element.requiredMember("path").string(),
                                          args: try element.member("args")?.stringArray() ?? [],
                                          env: try element.member("env")?.stringArray(),
                                          timeout: try element.member("timeout")?.int64()))
                }
                guard hooks.set(point, list) else { throw node.invalid("is not a hook point") }
            }
        }
        return ContainerState(
            id: try root.requiredMember("id").string(),
            pid: Int32(pid),
            pidStartTime: UInt64(startTime),
            bundle: try root.requiredMember("bundle").string(),
            rootfs: try root.requiredMember("rootfs").string(),
            created: Timestamp(seconds: try root.requiredMember("createdSeconds").int64(),
                               nanoseconds: Int32(nanoseconds)),
            annotations: try root.member("annotations")?.stringMap() ?? [:],
            configDigest: try root.requiredMember("configDigest").string(),
            modulePath: try root.requiredMember("modulePath").string(),
            imagePath: try root.requiredMember("imagePath").string(),
            cgroup: cgroup, hooks: hooks)
    }
}
