import Glibc

extension Runtime {
    /// `start`: only from "created". Runs the startContainer hooks (in the monitor's
    /// namespaces), opens the fifo for reading, which lets the container process's blocked
    /// open complete; reads its byte; removes the fifo ("running" from then on); runs the
    /// poststart hooks. A failing hook kills the container process, as runc's does.
    public func start(id: String) throws(OCIError) {
        let directory = try claimedDirectory(id)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let state = try directory.loadState()
        switch directory.status(of: state) {
        case .stopped: throw .cannotStartStopped
        case .running: throw .cannotStartRunning
        case .paused: throw .cannotStartPaused
        case .created: break
        }
        do {
            try HookRunner(point: .startContainer, state: state.hookStateJSON(status: "created", pid: state.pid),
                           monitorPID: state.pid).run(state.hooks.startContainer)
        } catch {
            _ = Glibc.kill(state.pid, SIGKILL)
            throw error
        }
        let fifo = Syscall.retrying { open(directory.fifoPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
        guard fifo >= 0 else {
            if errno == ENOENT { throw .cannotStartRunning }
            throw .system("open", directory.fifoPath, errno: errno)
        }
        defer { close(fifo) }
        try awaitStartByte(fifo, state: state)
        guard unlink(directory.fifoPath) == 0 else {
            throw .system("remove", directory.fifoPath, errno: errno)
        }
        log.debug("started container \(id)")
        try runPoststart(state)
    }

    /// poststart hooks; on failure the container process is killed and start fails (runc).
    func runPoststart(_ state: ContainerState) throws(OCIError) {
        do {
            try HookRunner(point: .poststart, state: state.hookStateJSON(status: "running", pid: state.pid))
                .run(state.hooks.poststart)
        } catch {
            _ = Glibc.kill(state.pid, SIGKILL)
            throw error
        }
    }

    /// Waits for the byte while the container process lives (it may still be opening the fifo).
    private func awaitStartByte(_ fifo: Int32, state: ContainerState) throws(OCIError) {
        while true {
            var poller = pollfd(fd: fifo, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready < 0 && errno != EINTR { throw .system("poll", errno: errno) }
            if ready > 0 && poller.revents & Int16(POLLIN) != 0 {
                var byte: UInt8 = 0
                if Syscall.retrying({ read(fifo, &byte, 1) }) == 1 { return }
            }
            let process = ProcessStat.read(pid: state.pid)
            guard ContainerStatus.derive(recordedStartTime: state.pidStartTime, process: process,
                                         fifoExists: true) == .created else {
                throw .monitorDiedBeforeStart(pid: state.pid)
            }
            // A writer that closed without writing leaves POLLHUP set: do not spin on it.
            if ready > 0 && poller.revents & Int16(POLLIN) == 0 { ProcessControl.sleep(milliseconds: 10) }
        }
    }
}
