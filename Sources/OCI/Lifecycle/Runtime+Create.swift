import Glibc
import ImageBuilder
import ImageFormat
import Monitor

extension Runtime {
    /// `create`: everything is checked and the image built before anything is written; after
    /// that, any failure removes what was made (state directory, fifo, child, pid file).
    /// Returns the container process's pid, which is this process's child.
    @discardableResult
    public func create(_ options: CreateOptions) throws(OCIError) -> Int32 {
        try create(options, startImmediately: false)
    }

    /// With `startImmediately` (`run`), there is no exec.fifo: the container process runs its
    /// module as soon as the state is written, and the container reads as running from then on.
    func create(_ options: CreateOptions, startImmediately: Bool) throws(OCIError) -> Int32 {
        let directory = try directory(options.id)
        try checkPreservedFDs(options.preserveFDs)
        if options.consoleSocket != nil {
            throw .terminalUnsupported("--console-socket")
        }
        if directory.exists { throw .containerAlreadyExists }

        let cwd = try PathName.currentDirectory()
        let bundle = PathName.absolute(options.bundle ?? ".", from: cwd)
        let configPath = PathName.join(bundle, "config.json")
        let configBytes = try FileIO.readFile(configPath, limit: Spec.maximumConfigSize)
        let spec = try Spec.parse(configBytes, source: configPath)
        if spec.process.terminal { throw .terminalUnsupported("\(configPath): process.terminal") }
        let rootfs = PathName.absolute(spec.root.path, from: bundle)
        let module = try WasmModuleFile.load(process: spec.process, rootfs: rootfs)
        let imagePath = try buildImage(module)
        let pidFile = options.pidFile.map { PathName.absolute($0, from: cwd) }

        let lock = try directory.makeLocked()
        var childPID: Int32 = 0
        var committed = false
        defer {
            if !committed {
                if childPID > 0 { ProcessControl.killAndReap(childPID) }
                try? directory.remove()
            }
            withExtendedLifetime(lock) {}
        }
        if !startImmediately {
            guard mkfifo(directory.fifoPath, 0o622) == 0 else {
                throw .system("mkfifo", directory.fifoPath, errno: errno)
            }
        }
        let launched = try MonitorLaunch(imagePath: imagePath, process: spec.process,
                                         fifoPath: startImmediately ? nil : directory.fifoPath, preservedFDs: options.preserveFDs,
                                         memoryLimit: spec.memoryLimit).spawn()
        childPID = launched.pid
        guard let stat = ProcessStat.read(pid: childPID), !stat.isDead else {
            throw .monitor("container process \(childPID) vanished after it was ready")
        }
        let state = ContainerState(
            id: options.id, pid: childPID, pidStartTime: stat.startTime, bundle: bundle, rootfs: rootfs,
            created: .now(), annotations: spec.annotations,
            configDigest: "sha256:" + SHA256.hash(configBytes).hex,
            modulePath: module.path, imagePath: imagePath)
        try directory.saveState(state)
        if let pidFile {
            try FileIO.writeAtomically(pidFile, Array(String(childPID).utf8), mode: 0o644,
                                       replacingStaleTemporary: false)
        }
        try launched.commit()
        committed = true
        log.debug("created container \(options.id): pid \(childPID), image \(imagePath)")
        return childPID
    }

    private func checkPreservedFDs(_ count: Int32) throws(OCIError) {
        for fd in 3..<(3 + count) where fcntl(fd, F_GETFD) == -1 {
            throw .badPreservedFD(fd)
        }
    }

    private func buildImage(_ module: WasmModuleFile) throws(OCIError) -> String {
        do {
            var configuration = try BuildConfiguration.resolve(executablePath: ProcessControl.executablePath,
                                                               environment: ProcessControl.environment,
                                                               hostCPUFeatures: HostCPU.features())
            let log = self.log
            // A cold build takes seconds: say so on an interactive stderr.
            // Under conmon or the containerd shim stderr is the container's
            // log, so there the progress goes only to the debug log.
            let interactive = isatty(2) == 1
            if log.debugEnabled || interactive {
                configuration.progress = { line in
                    log.debug(line)
                    if interactive { _ = FileIO.writeAll(2, Array("\(line)\n".utf8)) }
                }
            }
            return try ImageBuilder(configuration: configuration).cachedImage(forModule: module.bytes,
                                                                              name: module.path)
        } catch {
            throw .build(error.description)
        }
    }
}
