import Glibc
import Monitor

/// Which config.json mounts the guest sees, decided before anything is created:
///
/// - a bind mount (type "bind", or "bind"/"rbind" among the options) of a directory becomes a
///   host directory the monitor serves at the destination, writable unless the options say
///   "ro"; its source must exist, be a directory and be readable and searchable;
/// - a bind mount of a file the container engine manages for Linux processes (/etc/hosts,
///   /etc/resolv.conf, ...) means nothing to a Wasm guest and is skipped; any other file is
///   refused, since a preopen is a directory;
/// - a tmpfs mount becomes a RAM filesystem of its `size=` (default 64 MiB);
/// - proc, sysfs, devpts, mqueue, cgroup and every other kind are skipped.
///
/// Skips are logged at debug level. A later mount on the same destination replaces an earlier
/// one, as a later mount covers an earlier one under runc.
struct VolumePlan: Equatable {
    var volumes: [Volume] = []
    /// One line per skipped mount, for the debug log.
    var skipped: [String] = []

    static let defaultTmpfsSize: UInt64 = 64 << 20
    /// Files engines bind into every container (podman, containerd, CRI).
    static let engineFiles: Set<String> = [
        "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run/.containerenv", "/dev/termination-log",
    ]

    /// Relative sources are relative to the bundle, as runc takes them.
    static func make(_ mounts: [Spec.Mount], bundle: String) throws(OCIError) -> VolumePlan {
        var plan = VolumePlan()
        for mount in mounts {
            let destination = PathName.clean(mount.destination)
            if isBind(mount) {
                guard let source = mount.source, !source.isEmpty else { throw .badMount(destination, "a bind mount needs a source") }
                let path = PathName.absolute(source, from: bundle)
                var info = stat()
                guard stat(path, &info) == 0 else {
                    throw .badMount(destination, "source \(path): \(String(cString: strerror(errno)))")
                }
                if info.st_mode & S_IFMT != S_IFDIR {
                    if engineFiles.contains(destination) {
                        plan.skipped.append("mount \(destination): file \(path) skipped (a Wasm guest has no use for it)")
                        continue
                    }
                    throw .badMount(destination, "source \(path) is not a directory")
                }
                guard access(path, R_OK | X_OK) == 0 else {
                    throw .badMount(destination, "source \(path) is not readable: \(String(cString: strerror(errno)))")
                }
                plan.add(Volume(destination: destination, backing: .hostDirectory(source: path),
                                readOnly: mount.options.contains("ro")))
            } else if mount.type == "tmpfs" {
                plan.add(Volume(destination: destination, backing: .tmpfs(size: try tmpfsSize(mount.options, destination)),
                                readOnly: mount.options.contains("ro")))
            } else {
                plan.skipped.append("mount \(destination): type \(mount.type ?? "(none)") skipped (nothing a Wasm guest uses)")
            }
        }
        guard plan.volumes.count <= Volume.maximumCount else {
            throw .tooManyMounts(plan.volumes.count, limit: Volume.maximumCount)
        }
        return plan
    }

    static func isBind(_ mount: Spec.Mount) -> Bool {
        mount.type == "bind" || mount.options.contains("bind") || mount.options.contains("rbind")
    }

    /// `size=` in bytes, with k/m/g suffixes as mount(8) takes them; "%" (of RAM) is refused.
    static func tmpfsSize(_ options: [String], _ destination: String) throws(OCIError) -> UInt64 {
        guard let option = options.last(where: { $0.hasPrefix("size=") }) else { return defaultTmpfsSize }
        var text = Substring(option.dropFirst("size=".count))
        var scale: UInt64 = 1
        switch text.last?.lowercased() {
        case "k": scale = 1 << 10
        case "m": scale = 1 << 20
        case "g": scale = 1 << 30
        default: break
        }
        if scale != 1 { text = text.dropLast() }
        guard let value = UInt64(text), value > 0 else {
            throw .badMount(destination, "tmpfs option \(option) is not a size in bytes (k, m, g suffixes)")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw .badMount(destination, "tmpfs option \(option) is too large") }
        return bytes
    }

    private mutating func add(_ volume: Volume) {
        volumes.removeAll { $0.destination == volume.destination }
        volumes.append(volume)
    }
}
