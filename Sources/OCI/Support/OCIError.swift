import Glibc

/// Every failure of the OCI layer: one line, built by a named constructor.
/// `kind` lets callers react (delete --force ignores `.notFound`) without matching on text.
public struct OCIError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case notFound, alreadyExists, invalidID, notRunning, wrongStatus, notWasm
        case usage, invalidConfig, invalidModule, invalidState, unsupported
        case system, build, monitor, hook
    }

    public let kind: Kind
    public let message: String
    public var description: String { message }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    // MARK: Lifecycle (runc's texts, which clients match on)

    static let containerDoesNotExist = OCIError(.notFound, "container does not exist")
    static let containerAlreadyExists = OCIError(.alreadyExists, "container with given ID already exists")
    static let invalidContainerID = OCIError(.invalidID, "invalid container ID format")
    static let containerNotRunning = OCIError(.notRunning, "container not running")
    static let cannotStartStopped = OCIError(.wrongStatus, "cannot start a container that has stopped")
    static let cannotStartPaused = OCIError(.wrongStatus, "cannot start a container in the paused state")
    static let cannotStartRunning = OCIError(.wrongStatus, "cannot start an already running container")

    static func cannotDeleteNotStopped(id: String, status: ContainerStatus) -> OCIError {
        OCIError(.wrongStatus, "cannot delete container \(id) that is not stopped: \(status.rawValue)")
    }

    static func stillAlive(pid: Int32) -> OCIError {
        OCIError(.system, "container process \(pid) is still alive after SIGKILL")
    }

    static func monitorDiedBeforeStart(pid: Int32) -> OCIError {
        OCIError(.wrongStatus, "container process \(pid) died before it was started")
    }

    // MARK: Command line

    /// runc's text for `spec` over an existing file.
    static let configExists = OCIError(.alreadyExists, "File config.json exists. Remove it first")

    static func commandUnsupported(_ command: String, reason: String) -> OCIError {
        OCIError(.unsupported, "\(command) is not supported: \(reason)")
    }

    public static func usage(_ message: String) -> OCIError { OCIError(.usage, message) }

    static func unknownSignal(_ text: String) -> OCIError { OCIError(.usage, "unknown signal \"\(text)\"") }

    static let ttyWithoutConsoleSocket = OCIError(.usage, "cannot allocate tty if runc will detach without setting console socket")
    static let consoleSocketWithoutTTY = OCIError(.usage, "cannot use console socket if runc will not detach or allocate tty")

    static func badListenFD(_ fd: Int32) -> OCIError {
        OCIError(.usage, "LISTEN_FDS: file descriptor \(fd) is not open")
    }

    static func bundleNotDirectory(_ path: String) -> OCIError {
        OCIError(.usage, "bundle \(path) is not a directory")
    }

    static func badPreservedFD(_ fd: Int32) -> OCIError {
        OCIError(.usage, "--preserve-fds: file descriptor \(fd) is not open")
    }

    static let containerNotPaused = OCIError(.wrongStatus, "container not paused")
    static let containerPaused = OCIError(.wrongStatus, "container paused")

    // MARK: Cgroups and namespaces

    static func invalidCgroupsPath(_ path: String, reason: String) -> OCIError {
        OCIError(.invalidConfig, "linux.cgroupsPath \"\(path)\" \(reason)")
    }

    static func cgroupControllerMissing(_ controller: String) -> OCIError {
        OCIError(.unsupported, "linux.resources needs the \(controller) cgroup controller, which is not mounted here")
    }

    static func memoryLimitFixed(current: Int64?, requested: Int64) -> OCIError {
        func text(_ limit: Int64?) -> String { limit.map { "\($0) bytes" } ?? "unlimited" }
        return OCIError(.unsupported, "update: the memory limit cannot change after create (the VM's memory is sized from it): "
                            + "it is \(text(current)), asked \(text(requested < 0 ? nil : requested))")
    }

    static let noCgroupToUpdate = OCIError(.unsupported, "update: the container has no cgroup (no cgroup hierarchy was mounted at create)")

    static let noFreezer = OCIError(.unsupported, "the container's cgroup has no freezer (cgroup v1 freezer or v2 cgroup.freeze)")

    static func freezeTimedOut(_ directory: String) -> OCIError {
        OCIError(.system, "cgroup \(directory) did not reach the requested freezer state in 10 s")
    }

    // MARK: Hooks (runc's wording)

    static func hookFailed(_ point: String, index: Int, path: String, cause: String) -> OCIError {
        OCIError(.hook, "error running \(point) hook #\(index) (\(path)): \(cause)")
    }

    static func hookTimedOut(seconds: Int64) -> OCIError {
        OCIError(.hook, "hook ran past specified timeout of \(seconds).0s")
    }

    static func hookExec(_ path: String, errno: Int32) -> OCIError {
        OCIError(.hook, "fork/exec \(path): \(Syscall.describe(errno))")
    }

    static func hookExit(_ status: String, stdout: String, stderr: String) -> OCIError {
        OCIError(.hook, "\(status), stdout: \(stdout), stderr: \(stderr)")
    }

    // MARK: Choosing the runtime

    static func notWasmContainer(_ reason: String) -> OCIError {
        OCIError(.invalidModule, "not a WebAssembly container (\(reason)) and no fallback runtime is configured "
                 + "(--fallback-runtime, $\(FallbackRuntime.environmentVariable) or \(FallbackRuntime.defaultConfigPath))")
    }

    static func fallbackExec(_ runtime: String, errno: Int32) -> OCIError {
        OCIError(.system, "exec fallback runtime \(runtime): \(Syscall.describe(errno))")
    }

    static func invalidConfigFile(_ path: String, line: Int, reason: String) -> OCIError {
        OCIError(.invalidConfig, "\(path):\(line): \(reason)")
    }

    // MARK: config.json

    static func invalidJSON(source: String, line: Int, column: Int, reason: String) -> OCIError {
        OCIError(.invalidConfig, "\(source): invalid JSON at line \(line), column \(column): \(reason)")
    }

    static func missingField(source: String, field: String) -> OCIError {
        OCIError(.invalidConfig, "\(source): \(field) is required")
    }

    static func wrongType(source: String, field: String, expected: String, found: String) -> OCIError {
        OCIError(.invalidConfig, "\(source): \(field) must be \(expected), not \(found)")
    }

    static func invalidField(source: String, field: String, reason: String) -> OCIError {
        OCIError(.invalidConfig, "\(source): \(field) \(reason)")
    }

    // MARK: The module

    static func moduleNotFoundInPath(_ name: String) -> OCIError {
        OCIError(.notWasm, "exec: \"\(name)\": executable file not found in $PATH")
    }

    static func moduleOpen(_ path: String, errno: Int32) -> OCIError {
        OCIError(.notWasm, "exec: \"\(path)\": \(Syscall.describe(errno))")
    }

    static func moduleNotRegular(_ path: String) -> OCIError {
        OCIError(.notWasm, "exec: \"\(path)\": not a regular file")
    }

    static func moduleTooLarge(_ path: String, limit: Int) -> OCIError {
        OCIError(.invalidModule, "\(path) is larger than \(limit) bytes")
    }

    static func notWasm(_ path: String) -> OCIError {
        OCIError(.notWasm, "\(path) is not a WebAssembly module (bad magic)")
    }

    static func truncatedWasm(_ path: String, size: Int) -> OCIError {
        OCIError(.notWasm, "\(path) is not a WebAssembly module (truncated to \(size) bytes)")
    }

    static func unsupportedWasmVersion(_ path: String, version: UInt32) -> OCIError {
        OCIError(.invalidModule, "\(path): unsupported WebAssembly binary version \(version) (only 1 is supported)")
    }

    // MARK: Other layers and the system

    static func build(_ cause: String) -> OCIError { OCIError(.build, "cannot build image: \(cause)") }

    static func monitor(_ cause: String) -> OCIError { OCIError(.monitor, "cannot start container process: \(cause)") }

    static func invalidState(path: String, reason: String) -> OCIError {
        OCIError(.invalidState, "\(path): \(reason)")
    }

    /// `operation path: reason`, like Go's *PathError, so "no such file or directory" and
    /// "permission denied" reach podman's exit-code mapping unchanged.
    static func system(_ operation: String, _ path: String, errno: Int32) -> OCIError {
        OCIError(.system, "\(operation) \(path): \(Syscall.describe(errno))")
    }

    static func system(_ operation: String, errno: Int32) -> OCIError {
        OCIError(.system, "\(operation): \(Syscall.describe(errno))")
    }
}

// MARK: Mounts (VolumePlan)

extension OCIError {
    static func badMount(_ destination: String, _ reason: String) -> OCIError {
        OCIError(.invalidConfig, "mount \(destination): \(reason)")
    }

    static func tooManyMounts(_ count: Int, limit: Int) -> OCIError {
        OCIError(.invalidConfig, "config.json has \(count) mounts the guest would see; at most \(limit) are supported")
    }
}
