// STUB for the oci branch: the real monitor lands with the Monitor branch (delete at merge).
// No VM: run() writes the arguments to stdout and ends as the LAST argument says, so the OCI
// lifecycle can be tested end to end:
//   "<n>"          exit with status n          "signal=<n>"   end as if killed by signal n
//   "sleep"        block (until killed)        anything else  exit 0
// init fails when any argument is "stub-fail-init".
import Glibc

public struct MonitorError: Error, CustomStringConvertible {
    public let description: String
}

public struct VMConfiguration: Sendable {
    public var arguments: [String]
    public var environment: [String]
    public var ramSize: UInt64 = 64 << 20
    public var stackSize: UInt64 = 1 << 20
    public var linearMemoryMaxPages: UInt32
    public var stdinFD: Int32 = 0, stdoutFD: Int32 = 1, stderrFD: Int32 = 2

    public init(arguments: [String], environment: [String], linearMemoryMaxPages: UInt32) {
        self.arguments = arguments
        self.environment = environment
        self.linearMemoryMaxPages = linearMemoryMaxPages
    }
}

public enum Termination: Equatable {
    case exited(Int32), trapped(UInt32), failed(String), signaled(Int32)

    public var exitStatus: Int32 {
        switch self {
        case .exited(let code): return code & 0xff
        case .trapped: return 134
        case .failed: return 1
        case .signaled(let signal): return 128 + signal
        }
    }
}

public final class VirtualMachine {
    let configuration: VMConfiguration

    public init(elf: UnsafeRawBufferPointer, configuration: VMConfiguration) throws(MonitorError) {
        if configuration.arguments.contains("stub-fail-init") {
            throw MonitorError(description: "cannot create VM: stub-fail-init requested")
        }
        self.configuration = configuration
    }

    public func run() -> Termination {
        let line = Array((configuration.arguments.joined(separator: " ") + "\n").utf8)
        line.withUnsafeBytes { _ = write(configuration.stdoutFD, $0.baseAddress, $0.count) }
        let last = configuration.arguments.last ?? ""
        if last == "sleep" {
            while true { _ = sleep(60) }
        }
        if last.hasPrefix("signal="), let signal = Int32(last.dropFirst("signal=".count)) {
            return .signaled(signal)
        }
        return .exited(Int32(last) ?? 0)
    }
}
