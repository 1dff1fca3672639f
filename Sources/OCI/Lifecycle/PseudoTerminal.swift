import CShim
import Glibc

/// process.terminal: a pty pair. The slave becomes the monitor's controlling terminal and
/// stdio (MonitorLaunch); the master goes to the caller's --console-socket and no copy stays.
final class PseudoTerminal {
    private(set) var master: Int32
    private(set) var slave: Int32
    /// The slave's path ("/dev/pts/N").
    let name: String

    private init(master: Int32, slave: Int32, name: String) {
        self.master = master
        self.slave = slave
        self.name = name
    }

    static func open() throws(OCIError) -> PseudoTerminal {
        var master: Int32 = -1, slave: Int32 = -1
        var buffer = [CChar](repeating: 0, count: 128)
        guard cshim_open_pty(&master, &slave, &buffer, buffer.count) == 0 else {
            throw .system("open a pty", errno: errno)
        }
        return PseudoTerminal(master: master, slave: slave, name: String(cString: buffer))
    }

    func closeSlave() {
        if slave >= 0 { close(slave) }
        slave = -1
    }

    func closeMaster() {
        if master >= 0 { close(master) }
        master = -1
    }

    deinit {
        closeSlave()
        closeMaster()
    }
}

/// --console-socket and process.terminal checked together, with runc's texts.
struct ConsoleRequest {
    /// Absolute path of the caller's listening unix socket.
    let socketPath: String

    /// The request, or nil when the container uses the runtime's stdio (no terminal, or a
    /// foreground `run` with a terminal, which keeps the caller's own).
    static func check(terminal: Bool, socket: String?, foreground: Bool, configPath: String) throws(OCIError) -> ConsoleRequest? {
        let detached = !foreground
        if detached && terminal && socket == nil { throw .ttyWithoutConsoleSocket }
        if let socket {
            guard detached && terminal else { throw .consoleSocketWithoutTTY }
            return ConsoleRequest(socketPath: PathName.absolute(socket, from: try PathName.currentDirectory()))
        }
        return nil
    }

    /// One message: the pty's name and one SCM_RIGHTS fd, the master; then the master is closed.
    func send(_ pty: PseudoTerminal) throws(OCIError) {
        defer { pty.closeMaster() }
        let socket = cshim_connect_unix(socketPath)
        guard socket >= 0 else { throw .system("connect to console socket", socketPath, errno: errno) }
        defer { close(socket) }
        let payload = Array(pty.name.utf8)
        let sent = payload.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { cshim_send_fd(socket, $0.baseAddress, $0.count, pty.master) }
        }
        guard sent == 0 else { throw .system("send the pty to console socket", socketPath, errno: errno) }
    }
}
