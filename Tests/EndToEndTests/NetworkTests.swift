import Foundation
import Glibc
import Testing

/// Sockets through the built binary: the static-web example served from a network namespace
/// the test creates (config.json's linux.namespaces network path, as an engine hands it over)
/// and through `podman run -p`; the netprobe example's loopback checks, a refused connection,
/// the socket limit, a peer that resets mid-transfer, and a slow reader of a long stream.
@Suite(.needsKVM, .serialized)
struct NetworkTests {
    /// A network namespace of its own (`ip netns add`), loopback up; removed on deinit.
    final class NetworkNamespace {
        let name = "mewz-test-\(UUID().uuidString.prefix(8).lowercased())"
        let scratch: URL
        var path: String { "/run/netns/\(name)" }

        init(scratch: URL) throws {
            self.scratch = scratch
            try ClientTools.run(["ip", "netns", "add", name], scratch: scratch).check("ip netns add")
            try ClientTools.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], scratch: scratch)
                .check("ip link set lo up")
        }

        deinit { _ = try? ClientTools.run(["ip", "netns", "del", name], scratch: scratch) }

        /// argv run inside the namespace.
        func run(_ argv: [String], timeout: TimeInterval = 60) throws -> ClientTools.Result {
            try ClientTools.run(["ip", "netns", "exec", name] + argv, timeout: timeout, scratch: scratch)
        }

        /// curl inside the namespace: the body (into `output` when given) and the status code.
        func curl(_ url: String, head: Bool = false, output: String? = nil) throws -> (status: Int, body: String) {
            var argv = ["curl", "--silent", "--max-time", "20", "--write-out", "\n%{http_code}"]
            if head { argv.append("--head") }
            if let output { argv += ["--output", output] }
            let result = try run(argv + [url])
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
    }

    static let site = Runtime.repositoryRoot.appendingPathComponent("oci/examples/static-web/rootfs/site")

    /// An example bundle joined to `namespace` (and, for static-web, a 4 MiB file to reset on).
    static func bundle(_ runtime: Runtime, _ example: String, args: [String], namespace: NetworkNamespace) throws -> String {
        let path = try runtime.bundle(example, args: args)
        let configURL = URL(fileURLWithPath: path).appendingPathComponent("config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any],
              var linux = config["linux"] as? [String: Any],
              var namespaces = linux["namespaces"] as? [[String: Any]]
        else { throw TestFailure("bad example config") }
        namespaces.append(["type": "network", "path": namespace.path])
        linux["namespaces"] = namespaces
        config["linux"] = linux
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        if example == "static-web" {
            let big = Data((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try big.write(to: URL(fileURLWithPath: path).appendingPathComponent("rootfs/site/big.bin"))
        }
        return path
    }

    /// Waits until the server in `namespace` answers on `port`.
    static func waitForServer(_ namespace: NetworkNamespace, port: Int) -> Bool {
        RuntimeEventually.check(seconds: 60) { ((try? namespace.curl("http://127.0.0.1:\(port)/"))?.status ?? 0) == 200 }
    }

    /// A client that asks for big.bin, reads a little, and resets the connection (SO_LINGER 0).
    static let resettingClient = """
        import socket, struct, sys
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        s.sendall(b"GET /big.bin HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
        got = 0
        while got < 65536:
            chunk = s.recv(65536)
            if not chunk: break
            got += len(chunk)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        print("reset after", got)
        """

    @Test func staticWebServesFromANetworkNamespaceAndSurvivesAReset() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let namespace = try NetworkNamespace(scratch: runtime.scratch)
        let bundle = try Self.bundle(runtime, "static-web", args: ["/static-web.wasm", "8080", "/site"], namespace: namespace)
        let server = try SpawnedRuntime(runtime, bundle: bundle, id: "web-\(UUID().uuidString.prefix(6))", stdin: .devNull)
        // SIGTERM, which run forwards to the monitor (a SIGKILL would leave the monitor running).
        defer { if kill(server.pid, 0) == 0 { server.signal(SIGTERM); _ = server.wait() } }
        #expect(Self.waitForServer(namespace, port: 8080))

        let index = try namespace.curl("http://127.0.0.1:8080/index.html")
        #expect(index.status == 200)
        #expect(index.body == (try String(contentsOf: Self.site.appendingPathComponent("index.html"), encoding: .utf8)))
        let downloaded = runtime.scratch.appendingPathComponent("logo.png").path
        #expect(try namespace.curl("http://127.0.0.1:8080/img/logo.png", output: downloaded).status == 200)
        #expect(FileManager.default.contents(atPath: downloaded)
                == FileManager.default.contents(atPath: Self.site.appendingPathComponent("img/logo.png").path))
        let missing = try namespace.curl("http://127.0.0.1:8080/missing.html")
        #expect(missing.status == 404 && missing.body == "not found\n")
        let head = try namespace.curl("http://127.0.0.1:8080/style.css", head: true)
        #expect(head.status == 200 && head.body.contains("Content-Type: text/css"))
        // Keep-alive: curl reuses the connection for the second URL.
        let both = try namespace.run(["curl", "--silent", "--verbose", "--max-time", "20",
                                      "http://127.0.0.1:8080/", "http://127.0.0.1:8080/style.css"])
        #expect(both.stderr.contains("Re-using existing connection"), "\(both.stderr)")

        // A peer that resets mid-transfer: the guest's send fails, the server keeps serving.
        let reset = try namespace.run(["python3", "-c", Self.resettingClient, "8080"])
        #expect(reset.succeeded && reset.stdout.hasPrefix("reset after"), "\(reset.stderr)")
        let full = runtime.scratch.appendingPathComponent("big.bin").path
        #expect(try namespace.curl("http://127.0.0.1:8080/big.bin", output: full).status == 200)
        #expect(FileManager.default.contents(atPath: full)?.count == 4 << 20)
        #expect(try namespace.curl("http://127.0.0.1:8080/").status == 200)

        // The monitor (run's child) is in the namespace, not in the test's.
        let children = ClientTools.text("/proc/\(server.pid)/task/\(server.pid)/children").split(separator: " ")
        let monitor = try #require(children.first.flatMap { Int32($0) })
        var monitorNet = stat(), namespaceFile = stat()
        #expect(stat("/proc/\(monitor)/ns/net", &monitorNet) == 0 && stat(namespace.path, &namespaceFile) == 0)
        #expect(monitorNet.st_ino == namespaceFile.st_ino && monitorNet.st_dev == namespaceFile.st_dev)

        server.signal(SIGTERM)
        let outcome = server.wait()
        #expect(outcome.signal == SIGTERM, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("static-web: serving /site on port 8080"))
    }

    /// One run of netprobe in a fresh namespace; its stdout.
    func probe(_ args: [String]) throws -> SpawnedRuntime.Outcome {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let namespace = try NetworkNamespace(scratch: runtime.scratch)
        let bundle = try Self.bundle(runtime, "netprobe", args: ["/netprobe.wasm"] + args, namespace: namespace)
        return try SpawnedRuntime.run(runtime, bundle: bundle, id: "probe-\(UUID().uuidString.prefix(6))", timeout: 120)
    }

    @Test func loopbackTCPAndUDPInsideTheGuest() throws {
        let outcome = try probe(["loopback"])
        #expect(outcome.exitStatus == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.hasSuffix("loopback: all ok\n"), "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("FAIL"))
    }

    @Test func aClosedPortIsConnectionRefusedForTheGuest() throws {
        let outcome = try probe(["refused", "9"])
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "connect: 14\n")  // WASI ECONNREFUSED
        #expect(outcome.stderr.isEmpty)
    }

    @Test func theGuestGetsAtMostTheDocumentedNumberOfSockets() throws {
        let outcome = try probe(["limit"])
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        // MEWZ_SOCK_MAX (abi.h, README "Networking"), then EMFILE; a close makes room.
        #expect(outcome.stdout == "opened 512, then 33\nafter close: 0\n")
    }

    /// A client that connects, waits `pause` seconds, then reads to the end and checks the
    /// netprobe stream pattern (byte i is i % 251).
    static let slowReader = """
        import socket, sys, time
        for _ in range(200):
            try:
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); break
            except OSError: time.sleep(0.1)
        time.sleep(float(sys.argv[3]))
        data = bytearray()
        while True:
            chunk = s.recv(1 << 20)
            if not chunk: break
            data += chunk
        want = int(sys.argv[2]) << 20
        print("got", len(data), "in order" if data == bytes(i % 251 for i in range(want)) else "out of order")
        """

    /// Sends the guest holds (abi.h, the outbox) and bytes the monitor keeps while the host
    /// socket is full all reach a slow reader, in order, and before the close that follows them.
    @Test func aSlowReaderGetsEverythingTheGuestSentInOrder() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let namespace = try NetworkNamespace(scratch: runtime.scratch)
        let bundle = try Self.bundle(runtime, "netprobe", args: ["/netprobe.wasm", "stream", "7071", "24"],
                                     namespace: namespace)
        let server = try SpawnedRuntime(runtime, bundle: bundle, id: "stream-\(UUID().uuidString.prefix(6))", stdin: .devNull)
        defer { if kill(server.pid, 0) == 0 { server.signal(SIGTERM); _ = server.wait() } }
        let reader = try namespace.run(["python3", "-c", Self.slowReader, "7071", "24", "1.5"])
        #expect(reader.stdout == "got \(24 << 20) in order\n", "\(reader.stderr)")
        let outcome = server.wait()
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        // 24 MiB is more than loopback's socket buffers hold: the guest met a full socket.
        #expect(outcome.stdout == "sent \(24 << 20) bytes, waited for the reader\n")
    }

    @Test func aListeningSocketHandedInPreopenedServesAClient() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let namespace = try NetworkNamespace(scratch: runtime.scratch)
        let bundle = try Self.bundle(runtime, "netprobe", args: ["/netprobe.wasm", "preopened"], namespace: namespace)
        try Self.setEnvironment(bundle, ["MEWZ_TCPLISTEN=127.0.0.1:7070"])
        let server = try SpawnedRuntime(runtime, bundle: bundle, id: "pre-\(UUID().uuidString.prefix(6))", stdin: .devNull)
        // SIGTERM, which run forwards to the monitor (a SIGKILL would leave the monitor running).
        defer { if kill(server.pid, 0) == 0 { server.signal(SIGTERM); _ = server.wait() } }
        let client = "import socket; s = socket.create_connection(('127.0.0.1', 7070)); print(s.recv(100).decode(), end='')"
        var greeting = ""
        #expect(RuntimeEventually.check(seconds: 60) {
            greeting = (try? namespace.run(["python3", "-c", client]).stdout) ?? ""
            return !greeting.isEmpty
        })
        #expect(greeting == "hello from a preopened socket\n")
        let outcome = server.wait()
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        // After the preopened "/" (fd 3), as wasmtime numbers --tcplisten sockets.
        #expect(outcome.stdout == "listening socket at fd 4\n")
    }

    @Test func aListenerThatIsNotHostAndPortEndsTheStartWithOneLine() throws {
        let runtime = try Runtime()
        defer { runtime.cleanup() }
        let namespace = try NetworkNamespace(scratch: runtime.scratch)
        let bundle = try Self.bundle(runtime, "netprobe", args: ["/netprobe.wasm", "preopened"], namespace: namespace)
        try Self.setEnvironment(bundle, ["MEWZ_TCPLISTEN=example.com:80"])
        let outcome = try SpawnedRuntime.run(runtime, bundle: bundle, id: "bad-\(UUID().uuidString.prefix(6))")
        #expect(outcome.exitStatus == 1)
        #expect(outcome.stderr == "mewz-runtime: cannot start container process: bad VM configuration: "
                + "listening socket \"example.com:80\" is not HOST:PORT with a numeric host\n")
        #expect(outcome.stdout.isEmpty)
    }

    static func setEnvironment(_ bundle: String, _ environment: [String]) throws {
        let configURL = URL(fileURLWithPath: bundle).appendingPathComponent("config.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any],
              var process = config["process"] as? [String: Any]
        else { throw TestFailure("bad example config") }
        process["env"] = environment
        config["process"] = process
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
    }

    @Test func podmanPublishesThePortOfTheGuestsServer() throws {
        let podman = try PodmanEnvironment()
        try podman.build("static-web")
        let started = try podman.podman(["run", "--detach", "--name", "web", "--runtime", "mewz",
                                         "--publish", "127.0.0.1:18080:8080", "mewz-static-web"])
        #expect(started.status == 0, "\(started.stderr)")
        defer { _ = try? podman.podman(["rm", "--force", "--time", "0", "web"]) }
        let scratch = URL(fileURLWithPath: podman.directory)
        func curl(_ path: String, output: String? = nil) throws -> ClientTools.Result {
            try ClientTools.run(["curl", "--silent", "--max-time", "20", "--write-out", "\n%{http_code}"]
                                + (output.map { ["--output", $0] } ?? []) + ["http://127.0.0.1:18080\(path)"],
                                scratch: scratch)
        }
        #expect(RuntimeEventually.check(seconds: 60) { (try? curl("/"))?.stdout.hasSuffix("\n200") ?? false })
        let index = try curl("/index.html")
        #expect(index.stdout.hasPrefix("<!doctype html>") && index.stdout.hasSuffix("\n200"))
        let downloaded = scratch.appendingPathComponent("logo.png").path
        #expect(try curl("/img/logo.png", output: downloaded).stdout == "\n200")
        #expect(FileManager.default.contents(atPath: downloaded)
                == FileManager.default.contents(atPath: Self.site.appendingPathComponent("img/logo.png").path))
        #expect(try curl("/nothing/here").stdout == "not found\n\n404")
        let stop = try podman.podman(["stop", "--time", "20", "web"])
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(try podman.podman(["inspect", "--format", "{{.State.ExitCode}}", "web"]).stdout == "143\n")
    }
}

extension ClientTools.Result {
    /// Throws unless the command succeeded.
    @discardableResult
    func check(_ what: String) throws -> Self {
        guard succeeded else { throw TestFailure("\(what): \(stderr)") }
        return self
    }
}
