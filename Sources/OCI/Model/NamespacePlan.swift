/// What the monitor does with each namespace config.json names. Pure.
///
/// The monitor is a VMM: the guest sees none of the host's namespaces, only what the monitor
/// does for it. So only the namespaces that change what the monitor's own system calls reach
/// are entered:
/// - network: joined when given by path (podman's, a Kubernetes pod's), else a new one is
///   created, so the sockets the monitor opens for the guest live in the container's network;
///   it is entered first, before anything else is set up.
/// - ipc, uts: joined when given by path (a pod's shared ones); no new ones are made (the
///   monitor uses no SysV IPC and the guest never sees the host name).
/// - mount, pid, user, cgroup, time: left alone. The monitor must reach the host's /dev/kvm
///   and image cache; it has no children for a pid namespace to hold and its pid is the one
///   the caller records; a user namespace would take away the root it needs for /dev/kvm.
public struct NamespacePlan: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case join(Spec.Namespace.Kind, path: String)
        case create(Spec.Namespace.Kind)
    }

    public var actions: [Action]
    /// Named in config.json and deliberately not entered (see above).
    public var ignored: [Spec.Namespace.Kind]

    static let order: [Spec.Namespace.Kind] = [.network, .ipc, .uts]

    public init(_ namespaces: [Spec.Namespace]) {
        actions = []
        for kind in NamespacePlan.order {
            guard let namespace = namespaces.first(where: { $0.kind == kind }) else { continue }
            if let path = namespace.path {
                actions.append(.join(kind, path: path))
            } else if kind == .network {
                actions.append(.create(kind))
            }
        }
        ignored = namespaces.map(\.kind).filter { !NamespacePlan.order.contains($0) }
    }
}
