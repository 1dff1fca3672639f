import CMewzABI
import Glibc

/// Listening sockets opened before the guest runs and handed to it preopened (the container's
/// MEWZ_TCPLISTEN, as wasmtime's --tcplisten): "HOST:PORT" with a numeric IPv4 host or a
/// bracketed IPv6 one ("0.0.0.0:8080", "[::]:8080"). Opened in the container's network
/// namespace (the monitor is already in it), SO_REUSEADDR, backlog SOMAXCONN.
enum TCPListeners {
    /// The address of one "HOST:PORT", or nil when it is not one.
    static func parse(_ text: String) -> mewz_hc_sockaddr? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        var host = String(text[..<colon])
        var address = mewz_hc_sockaddr()
        address.port = port
        var family = AF_INET
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            family = AF_INET6
        }
        let parsed = withUnsafeMutableBytes(of: &address.addr) { inet_pton(family, host, $0.baseAddress) }
        guard parsed == 1 else { return nil }
        address.family = UInt16(family == AF_INET ? MEWZ_SOCK_AF_INET : MEWZ_SOCK_AF_INET6)
        return address
    }

    /// Opens every listener into `sockets`; their handles, in order.
    static func open(_ listeners: [String], in sockets: SocketTable) throws(MonitorError) -> [UInt32] {
        guard listeners.count <= Int(MEWZ_LISTENERS_MAX) else {
            throw .badConfiguration("\(listeners.count) listening sockets (at most \(MEWZ_LISTENERS_MAX))")
        }
        var handles: [UInt32] = []
        for text in listeners {
            guard let address = parse(text) else {
                throw .badConfiguration("listening socket \"\(text)\" is not HOST:PORT with a numeric host")
            }
            func check(_ result: Int32, _ call: String) throws(MonitorError) {
                if result == -1 { throw .badConfiguration("cannot listen on \(text): \(call): \(Errno.current)") }
            }
            var storage = sockaddr_storage(), length = socklen_t(0)
            do throws(GuestErrno) {
                (storage, length) = try SocketAddress.host(address)
            } catch {
                throw .badConfiguration("cannot listen on \(text): unsupported address")
            }
            let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue) | Hypercalls.socketFlags, 0)
            try check(fd, "socket")
            guard let handle = try? sockets.add(fd: fd, isStream: true, isListening: true) else {
                throw .badConfiguration("cannot listen on \(text): too many sockets")
            }
            var one: Int32 = 1
            try check(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)), "setsockopt")
            try check(withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }, "bind")
            try check(listen(fd, SOMAXCONN), "listen")
            handles.append(handle)
        }
        return handles
    }
}
