import CSeccomp

/// The running monitor's seccomp allowlist (CSeccomp, architecture.md §6): loaded after set-up,
/// just before the first KVM_RUN, it leaves only KVM_RUN on the vCPU, new memory slots on the VM
/// (linear memory's growth), stdio, the guest's IPv4/IPv6 sockets and their epoll instance,
/// entropy, clocks, memory, signal re-raising and exit.
/// Anything else kills the process with SIGSYS, after one line on the container's stderr that names
/// the call (cseccomp's SIGSYS handler: the filter traps instead of killing outright).
enum Confinement {
    /// `servesVolumes`: the file calls of MEWZ_HC_FS too (cseccomp's volume rules);
    /// `walksPaths`: openat with O_NOFOLLOW as well (no openat2 in this kernel);
    /// `servesSockets`: the socket calls (cseccomp's socket rules), for a guest that can have
    /// host sockets; `epollFD`: the sockets' epoll instance (-1: none; only with sockets).
    static func confine(vcpuFD: Int32, vmFD: Int32, descriptors: HostDescriptors,
                        servesVolumes: Bool = false, walksPaths: Bool = false,
                        servesSockets: Bool = true, epollFD: Int32 = -1) throws(MonitorError) {
        var policy = cseccomp_monitor_policy(
            vcpu_fd: vcpuFD, vm_fd: vmFD, stdin_fd: descriptors.stdin, stdout_fd: descriptors.stdout,
            stderr_fd: descriptors.stderr, volumes: servesVolumes ? (walksPaths ? 2 : 1) : 0,
            sockets: servesSockets ? 1 : 0, epoll_fd: epollFD)
        let status = cseccomp_confine_monitor(&policy)
        guard status == 0 else { throw .seccomp(Errno(code: -status)) }
    }
}
