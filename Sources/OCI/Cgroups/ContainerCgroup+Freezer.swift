import Glibc

/// pause/resume: the cgroup freezer (v1 freezer.state, or v2 cgroup.freeze), as runc does it.
/// The cgroup holds only the monitor, so freezing it stops the vCPU where it is.
extension ContainerCgroup {
    enum Freezer: Equatable {
        case v1(String)
        case v2(String)
    }

    /// The v1 freezer hierarchy if there is one, else the unified hierarchy's cgroup.freeze.
    var freezer: Freezer? {
        if let directory = v1Directory("freezer") { return .v1(directory) }
        if let unified = directories["unified"], FileIO.exists(unified + "/cgroup.freeze") {
            return .v2(unified)
        }
        return nil
    }

    /// FROZEN (or FREEZING on the way there) in v1; "1" in cgroup.freeze in v2.
    var isFrozen: Bool {
        switch freezer {
        case .v1(let directory):
            let state = CgroupFile.read(directory + "/freezer.state")?.trimmingTrailingNewline
            return state == "FROZEN" || state == "FREEZING"
        case .v2(let directory):
            return CgroupFile.read(directory + "/cgroup.freeze")?.trimmingTrailingNewline == "1"
        case nil:
            return false
        }
    }

    static let freezeTimeoutMilliseconds = 10_000

    /// Freezes and waits until the kernel reports every task frozen.
    func freeze() throws(OCIError) {
        try setFrozen(true)
    }

    func thaw() throws(OCIError) {
        try setFrozen(false)
    }

    private func setFrozen(_ frozen: Bool) throws(OCIError) {
        guard let freezer else { throw .noFreezer }
        var waited = 0
        switch freezer {
        case .v1(let directory):
            let target = frozen ? "FROZEN" : "THAWED"
            while true {
                try CgroupFile.write(directory + "/freezer.state", target)
                if CgroupFile.read(directory + "/freezer.state")?.trimmingTrailingNewline == target { return }
                guard waited < ContainerCgroup.freezeTimeoutMilliseconds else { throw .freezeTimedOut(directory) }
                ProcessControl.sleep(milliseconds: 1)
                waited += 1
            }
        case .v2(let directory):
            try CgroupFile.write(directory + "/cgroup.freeze", frozen ? "1" : "0")
            let wanted = frozen ? "frozen 1" : "frozen 0"
            while !(CgroupFile.read(directory + "/cgroup.events") ?? "").split(separator: "\n").contains(Substring(wanted)) {
                guard waited < ContainerCgroup.freezeTimeoutMilliseconds else { throw .freezeTimedOut(directory) }
                ProcessControl.sleep(milliseconds: 1)
                waited += 1
            }
        }
    }
}
