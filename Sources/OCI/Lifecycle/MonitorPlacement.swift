import CShim
import Glibc

/// The monitor child's own moves into the container's namespaces and cgroup, before it
/// opens /dev/kvm. Runs in the forked child: returns a one-line failure instead of throwing.
enum MonitorPlacement {
    static func enter(_ plan: NamespacePlan) -> String? {
        for action in plan.actions {
            switch action {
            case .join(let kind, let path):
                let fd = Syscall.retrying { open(path, O_RDONLY | O_CLOEXEC) }
                guard fd >= 0 else { return "join \(kind.rawValue) namespace \(path): \(Syscall.describe(errno))" }
                let result = cshim_setns(fd, flag(kind))
                let code = errno
                close(fd)
                // EINVAL: the file is not a namespace of that type.
                guard result == 0 else { return "join \(kind.rawValue) namespace \(path): \(Syscall.describe(code))" }
            case .create(let kind):
                guard cshim_unshare(flag(kind)) == 0 else {
                    return "create a \(kind.rawValue) namespace: \(Syscall.describe(errno))"
                }
            }
        }
        return nil
    }

    /// Writes "0" (the caller) into each file: v1 `tasks`, or a v2 `cgroup.procs` (CgroupJoin).
    static func join(_ files: [String]) -> String? {
        for file in files {
            do {
                try CgroupFile.write(file, "0")
            } catch {
                return "join cgroup: \(error.message)"
            }
        }
        return nil
    }

    static func flag(_ kind: Spec.Namespace.Kind) -> Int32 {
        switch kind {
        case .network: return cshim_clone_newnet
        case .ipc: return cshim_clone_newipc
        case .uts: return cshim_clone_newuts
        case .mount: return cshim_clone_newns
        case .pid: return cshim_clone_newpid
        case .user: return cshim_clone_newuser
        case .cgroup: return cshim_clone_newcgroup
        case .time: return 0x80  // CLONE_NEWTIME, newer than some headers
        }
    }
}
