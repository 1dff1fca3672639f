import Glibc
import ImageBuilder
import ImageFormat

extension Runtime {
    /// `create`: the configuration is checked before anything is written; after that, any
    /// failure (an image that cannot be built included) removes what was made (state directory,
    /// fifo, cgroup, child, pid file) and runs the poststop hooks, as runc's destroy does.
    /// Returns the container process's pid, which is this process's child.
    @discardableResult
    public func create(_ options: CreateOptions) throws(OCIError) -> Int32 {
        try create(options, startImmediately: false, foreground: false).pid
    }

    /// With `startImmediately` (`run`), there is no exec.fifo: the start hooks run, then the
    /// container process runs its module, and the container reads as running from then on.
    /// Returns the state it wrote too, and its lock file's identity, which a foreground `run`
    /// deletes by.
    @discardableResult
    func create(_ options: CreateOptions, startImmediately: Bool, foreground: Bool)
        throws(OCIError) -> (pid: Int32, state: ContainerState, lockFile: FileIdentity)
    {
        let directory = try directory(options.id)
        if directory.exists { throw .containerAlreadyExists }

        let cwd = try PathName.currentDirectory()
        let bundle = PathName.absolute(options.bundle ?? ".", from: cwd)
        try Runtime.checkIsDirectory(bundle)
        let configPath = PathName.join(bundle, "config.json")
        let configBytes = try FileIO.readFile(configPath, limit: Spec.maximumConfigSize)
        var spec = try Spec.parse(configBytes, source: configPath)
        let rootfs = try Self.rootfsPath(spec.root.path, bundle: bundle, source: configPath)
        let module = try chooseModule(spec, rootfs: rootfs)
        StartupTrace.mark("runtime-config")
        let console = try ConsoleRequest.check(terminal: spec.process.terminal, socket: options.consoleSocket,
                                               foreground: foreground, configPath: configPath)
        let inherited = try InheritedDescriptors.resolve(preserveFDs: options.preserveFDs,
                                                         environment: ProcessControl.environment)
        spec.process.env = inherited.environment(spec.process.env)
        let cgroupPath = try CgroupPath.resolve(spec.linux.cgroupsPath, id: options.id, systemd: self.options.systemdCgroup)
        let wantsFilesystem = try Self.wantsFilesystem(spec.annotations, source: configPath)
        let pidFile = options.pidFile.map { PathName.absolute($0, from: cwd) }
        let volumes = try VolumePlan.make(spec.mounts, bundle: bundle)
        volumes.skipped.forEach { log.debug($0) }

        let lock = try directory.makeLocked()
        StartupTrace.mark("runtime-state-dir")
        // The images are found (or built) on a thread of its own while this one makes the
        // cgroup: on two CPUs the two overlap. This way round, the wait for a new thread to
        // be scheduled on the other CPU (about 0.1 ms) is on the shorter path of a cached run,
        // the images', not the cgroup's. Both are done before the fork, which must be made
        // from one thread.
        let imageWork = BackgroundWork { () throws(OCIError) in
            try self.containerImages(module, rootfs: rootfs, bundle: bundle, filesystem: wantsFilesystem)
        }
        var cgroup: ContainerCgroup?
        var childPID: Int32 = 0
        var state: ContainerState?
        var committed = false
        defer {
            if !committed {
                if childPID > 0 { ProcessControl.killAndReap(childPID) }
                _ = try? imageWork.wait()  // joins the thread if it still runs
                try? cgroup?.remove()
                try? directory.remove()
                if let state { try? HookRunner(point: .poststop, state: state.hookStateJSON(status: "stopped", pid: nil)).run(spec.hooks.poststop) }
            }
            withExtendedLifetime(lock) {}
        }
        let made: ContainerCgroup
        do {
            made = try ContainerCgroup.create(cgroupPath, resources: spec.linux.resources,
                                              hierarchies: try CgroupHierarchy.discover())
        } catch {
            _ = try imageWork.wait()  // a bad rootfs or module is the error to report first
            throw error
        }
        cgroup = made
        StartupTrace.mark("runtime-cgroup")
        let images = try imageWork.wait()
        let imagePath = images.program.path
        if !startImmediately {
            guard mkfifo(directory.fifoPath, 0o622) == 0 else {
                throw .system("mkfifo", directory.fifoPath, errno: errno)
            }
        }
        StartupTrace.mark("runtime-images")
        let pty = try console.map { _ throws(OCIError) in try PseudoTerminal.open() }
        var launch = MonitorLaunch(images: images.files, process: spec.process,
                                   fifoPath: startImmediately ? nil : directory.fifoPath,
                                   preservedFDs: inherited.count, memoryLimit: spec.memoryLimit)
        launch.namespaces = NamespacePlan(spec.linux.namespaces)
        launch.cgroupJoin = made.join
        launch.terminalSlave = pty?.slave
        launch.consoleSize = spec.process.consoleSize
        launch.volumes = volumes.volumes
        launch.opensSockets = module.opensSockets
        let launched = try launch.spawn()
        childPID = launched.pid
        // The state is written while the child builds its VM: the two overlap on a second CPU.
        guard let stat = ProcessStat.read(pid: childPID), !stat.isDead else {
            try launched.awaitReady()  // a child that failed at once: its own error
            throw .monitor("container process \(childPID) vanished as it started")
        }
        let recorded = ContainerState(
            id: options.id, pid: childPID, pidStartTime: stat.startTime, bundle: bundle, rootfs: rootfs,
            created: .now(), annotations: spec.annotations,
            configDigest: "sha256:" + SHA256.hash(configBytes).hex,
            modulePath: module.path, imagePath: imagePath, cgroup: made, hooks: spec.hooks)
        try directory.saveState(recorded)
        StartupTrace.mark("runtime-state")
        try launched.awaitReady()
        state = recorded  // from here a failure runs the poststop hooks
        StartupTrace.mark("runtime-await-ready")
        if let pty, let console {
            pty.closeSlave()
            try console.send(pty)
        }

        let creating = recorded.hookStateJSON(status: "creating", pid: childPID)
        try HookRunner(point: .prestart, state: creating).run(spec.hooks.prestart)
        try HookRunner(point: .createRuntime, state: creating).run(spec.hooks.createRuntime)
        try HookRunner(point: .createContainer, state: creating, monitorPID: childPID).run(spec.hooks.createContainer)
        if let pidFile {
            try FileIO.writeAtomically(pidFile, Array(String(childPID).utf8), mode: 0o644,
                                       replacingStaleTemporary: false)
        }
        if startImmediately {
            try HookRunner(point: .startContainer, state: recorded.hookStateJSON(status: "created", pid: childPID),
                           monitorPID: childPID).run(spec.hooks.startContainer)
        }
        try launched.commit()
        StartupTrace.mark("runtime-commit")
        committed = true
        log.debug("created container \(options.id): pid \(childPID), image \(imagePath)")
        if startImmediately {
            try runPoststart(recorded)
        }
        return (childPID, recorded, lock.file)
    }

    /// process.args[0] as a Wasm module, or the fallback runtime takes the whole command
    /// (a sandbox always; a bundle without Wasm when one is configured).
    private func chooseModule(_ spec: Spec, rootfs: String) throws(OCIError) -> WasmModuleFile {
        switch WorkloadChoice.decide(annotations: spec.annotations, firstArgument: spec.process.args[0]) {
        case .sandbox:
            throw handOff(reason: "pod sandbox")
        case .notWasm(let reason):
            guard try fallbackRuntime() != nil else { throw .notWasmContainer(reason) }
            throw handOff(reason: reason)
        case .wasm:
            return try WasmModuleFile.load(process: spec.process, rootfs: rootfs)
        case .byMagic:
            do {
                return try WasmModuleFile.load(process: spec.process, rootfs: rootfs)
            } catch where error.kind == .notWasm {
                guard try fallbackRuntime() != nil else { throw error }
                throw handOff(reason: error.message)
            }
        }
    }

    static func checkIsDirectory(_ path: String) throws(OCIError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .system("open bundle", path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .bundleNotDirectory(path) }
    }
}
