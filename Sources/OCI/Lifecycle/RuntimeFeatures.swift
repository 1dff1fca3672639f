/// `features`: the runtime-spec features document (opencontainers/runtime-spec features.md).
/// It advertises only what mewz-runtime honours, so a client never enables something (idmap
/// mounts, seccomp profiles, capabilities) that would then be silently ignored. Namespaces
/// are the ones the monitor enters (NamespacePlan); cgroups are managed on v1 and v2, and
/// the systemd path form is made directly (no D-Bus).
public enum RuntimeFeatures {
    public static let ociVersionMin = "1.0.0"
    public static let ociVersionMax = ContainerState.ociVersion
    public static let kindAnnotation = "io.github.mewz-runtime.kind"

    public static var document: GoJSON {
        let disabled = GoJSON.object([.init("enabled", .bool(false))])
        let linux = GoJSON.object([
            .init("namespaces", .array(NamespacePlan.order.map { .string($0.rawValue) })),
            .init("capabilities", .array([])),
            .init("cgroup", .object([
                .init("v1", .bool(true)), .init("v2", .bool(true)), .init("systemd", .bool(true)),
                .init("systemdUser", .bool(false)), .init("rdma", .bool(false)),
            ])),
            .init("seccomp", disabled),
            .init("apparmor", disabled),
            .init("selinux", disabled),
            .init("intelRdt", disabled),
            .init("mountExtensions", .object([.init("idmap", disabled)])),
        ])
        return .object([
            .init("ociVersionMin", .string(ociVersionMin)),
            .init("ociVersionMax", .string(ociVersionMax)),
            .init("hooks", .array(Spec.Hooks().byPoint.map { .string($0.0) })),
            .init("mountOptions", .array([])),
            .init("linux", linux),
            .init("annotations", .object([.init(kindAnnotation, .string("wasm-unikernel"))])),
        ])
    }

    /// As runc prints it: json.MarshalIndent with two spaces, then a newline.
    public static var json: String { document.indented + "\n" }
}
