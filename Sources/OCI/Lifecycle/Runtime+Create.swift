import Glibc
import ImageBuilder
import ImageFormat

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
        let rootfs = try Self.rootfsPath(spec.root.path, bundle: bundle, source: configPath)
        let module = try WasmModuleFile.load(process: spec.process, rootfs: rootfs)
        let images = try containerImages(module, rootfs: rootfs, bundle: bundle,
                                         filesystem: try Self.wantsFilesystem(spec.annotations, source: configPath))
        let imagePath = images.program.path
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
        let launched = try MonitorLaunch(images: images.files, process: spec.process,
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
}
