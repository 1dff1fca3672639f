import Glibc
import Testing
@testable import OCI

@Suite struct SignalNameTests {
    @Test(arguments: [
        ("9", Int32(9)), ("15", 15), ("64", 64), ("KILL", 9), ("kill", 9), ("SIGKILL", 9), ("sigterm", 15),
        ("SigHup", 1), ("TERM", 15), ("USR1", 10), ("SIGUSR2", 12), ("WINCH", 28), ("cld", 17),
        ("RTMIN", 34), ("SIGRTMIN+2", 36), ("rtmax-1", 63), ("RTMAX", 64),
    ])
    func parses(text: String, signal: Int32) throws {
        #expect(try SignalName.parse(text) == signal)
    }

    @Test(arguments: ["0", "-9", "65", "", "SIG", "FOO", "SIGKILLX", "RTMIN+31", "RTMAX-31", "9x",
                      "RTMIN+2147483647", "RTMAX-2147483647"])
    func rejects(text: String) {
        #expect(throws: OCIError.unknownSignal(text)) { try SignalName.parse(text) }
    }
}

/// A hook's timeout is any positive Int64 in config.json: its deadline saturates instead of
/// overflowing (which ended create after the container process was made, leaving it all behind).
@Suite struct HookDeadlineTests {
    @Test func deadlinesSaturate() {
        #expect(HookRunner.deadline(seconds: 2, from: 500) == 2_500)
        #expect(HookRunner.deadline(seconds: 9_223_372_036_854_776, from: 1_000) == Int64.max)
        #expect(HookRunner.deadline(seconds: Int64.max / 1000, from: Int64.max - 10) == Int64.max)
    }
}

@Suite struct ContainerIDTests {
    @Test(arguments: ["c1", "a", "A-Z_0.9+x", "...", ".a", "-leading", String(repeating: "x", count: 300)])
    func accepts(id: String) {
        #expect(ContainerID.isValid(id))
    }

    @Test(arguments: ["", ".", "..", "a/b", "/a", "a b", "a\nb", "é", "a:b", "a@b", "a\0b"])
    func rejects(id: String) {
        #expect(!ContainerID.isValid(id))
        #expect(throws: OCIError.invalidContainerID) { try ContainerID.validate(id) }
    }
}

@Suite struct PathNameTests {
    @Test(arguments: [
        ("", "."), ("/", "/"), ("//a//b/", "/a/b"), ("a/./b", "a/b"), ("a/../b", "b"), ("/../a", "/a"),
        ("../a", "../a"), ("a/..", "."), ("a/b/../../..", ".."), ("/a/b/../c/.", "/a/c"),
    ])
    func clean(path: String, expected: String) {
        #expect(PathName.clean(path) == expected)
    }

    /// clean's fast path (a path found already clean comes back as it is) agrees with the
    /// lexical clean on every path of up to 7 characters drawn from "/", "." and "a", and takes
    /// the usual absolute and relative paths.
    @Test func theAlreadyCleanFastPathAgreesWithTheLexicalClean() {
        var paths = [""]
        var frontier = [""]
        for _ in 0..<7 {
            frontier = frontier.flatMap { prefix in ["/", ".", "a"].map { prefix + $0 } }
            paths += frontier
        }
        for path in paths {
            if PathName.isClean(path) { #expect(PathName.cleanLexically(path) == path, "\(path)") }
            #expect(PathName.clean(path) == PathName.cleanLexically(path), "\(path)")
        }
        for path in ["/", "/a", "/a/b.c", "a", "a/b", "/sys/fs/cgroup/memory/x"] {
            #expect(PathName.isClean(path), "\(path)")
        }
    }

    @Test func absoluteAndParts() {
        #expect(PathName.absolute("b", from: "/work") == "/work/b")
        #expect(PathName.absolute("../b/./c", from: "/work/x") == "/work/b/c")
        #expect(PathName.absolute("/abs/", from: "/work") == "/abs")
        #expect(PathName.directory(of: "/run/x/init.pid") == "/run/x")
        #expect(PathName.directory(of: "/init.pid") == "/")
        #expect(PathName.directory(of: "init.pid") == ".")
        #expect(PathName.base(of: "/run/x/init.pid") == "init.pid")
    }
}

@Suite struct ProcessStatTests {
    static func line(comm: String, state: String, ppid: Int, start: UInt64) -> [UInt8] {
        let after = (5...21).map { "\($0)" }.joined(separator: " ")
        return Array("77 (\(comm)) \(state) \(ppid) \(after) \(start) 23 24\n".utf8)
    }

    @Test func parsesAroundHostileNames() {
        for comm in ["mewz", "a b", "x) R 1 2 (", ")", ""] {
            let stat = ProcessStat.parse(ProcessStatTests.line(comm: comm, state: "S", ppid: 12, start: 987_654))
            #expect(stat == ProcessStat(state: "S", parentPID: 12, startTime: 987_654))
        }
    }

    @Test func rejectsShortLines() {
        #expect(ProcessStat.parse(Array("77 (x) S 1 2 3".utf8)) == nil)
        #expect(ProcessStat.parse([]) == nil)
    }

    @Test func readsItself() throws {
        let me = try #require(ProcessStat.read(pid: getpid()))
        #expect(!me.isDead)
        #expect(me.parentPID == getppid())
        #expect(ProcessStat.read(pid: 0) == nil)
    }

    @Test(arguments: [
        (ProcessStat(state: "S", parentPID: 1, startTime: 10), true, ContainerStatus.created),
        (ProcessStat(state: "R", parentPID: 1, startTime: 10), false, .running),
        (ProcessStat(state: "Z", parentPID: 1, startTime: 10), true, .stopped),
        (ProcessStat(state: "X", parentPID: 1, startTime: 10), false, .stopped),
        (ProcessStat(state: "S", parentPID: 1, startTime: 11), true, .stopped),  // pid reused
    ])
    func derive(stat: ProcessStat, fifo: Bool, expected: ContainerStatus) {
        #expect(ContainerStatus.derive(recordedStartTime: 10, process: stat, fifoExists: fifo) == expected)
    }

    @Test func goneIsStopped() {
        #expect(ContainerStatus.derive(recordedStartTime: 10, process: nil, fifoExists: true) == .stopped)
    }
}

@Suite struct WasmPreambleTests {
    @Test(arguments: [
        ([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00], nil),
        ([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01], nil),
        ([], "/m.wasm is not a WebAssembly module (truncated to 0 bytes)"),
        ([0x00, 0x61], "/m.wasm is not a WebAssembly module (truncated to 2 bytes)"),
        ([0x00, 0x61, 0x73, 0x6D, 0x01], "/m.wasm is not a WebAssembly module (truncated to 5 bytes)"),
        (Array("#!/bin/sh\n".utf8), "/m.wasm is not a WebAssembly module (bad magic)"),
        ([0x7F, 0x45], "/m.wasm is not a WebAssembly module (bad magic)"),
        ([0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00],
         "/m.wasm: unsupported WebAssembly binary version 65549 (only 1 is supported)"),
    ] as [([UInt8], String?)])
    func preamble(bytes: [UInt8], message: String?) {
        var failure: String?
        do {
            try WasmModuleFile.checkPreamble(bytes, path: "/m.wasm")
        } catch {
            failure = error.message
        }
        #expect(failure == message)
    }
}

/// The module args[0] names is checked before it is opened: a device node (a layer may carry
/// one) is never opened on the host, where a driver's open can act. inotify sees every open of
/// the node but an O_PATH one, which does not open the device.
@Suite struct ModuleOpenTests {
    @Test func aDeviceNodeNamedAsTheModuleIsRefusedUnopened() throws {
        var template = Array("/tmp/mewz-module-open-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        try #require(made)
        let rootfs = String(cString: template)
        defer { unlink(rootfs + "/app.wasm"); rmdir(rootfs) }
        // The null device (1, 3): harmless, and an open of it is what inotify reports.
        try #require(mknod(rootfs + "/app.wasm", S_IFCHR | 0o600, (1 << 8) | 3) == 0)
        let watcher = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        try #require(watcher >= 0)
        defer { close(watcher) }
        try #require(inotify_add_watch(watcher, rootfs, UInt32(IN_OPEN)) >= 0)
        let process = Spec.Process(terminal: false, args: ["/app.wasm"], env: [], cwd: "/")
        #expect(throws: OCIError.moduleNotRegular("/app.wasm")) {
            _ = try WasmModuleFile.load(process: process, rootfs: rootfs)
        }
        var events = [UInt8](repeating: 0, count: 4096)
        let got = read(watcher, &events, events.count)
        #expect(got < 0 && errno == EAGAIN, "the device node was opened (\(got) bytes of inotify events)")
    }
}

@Suite struct RuntimeLogTests {
    static let time = Timestamp(seconds: 1_767_323_045, nanoseconds: 5)

    @Test func jsonLine() {
        #expect(RuntimeLog.line(level: "error", message: "a \"b\" <c>", time: RuntimeLogTests.time, format: .json)
                == #"{"level":"error","msg":"a \"b\" \u003cc\u003e","time":"2026-01-02T03:04:05Z"}"# + "\n")
    }

    @Test func textLine() {
        #expect(RuntimeLog.line(level: "debug", message: "x \"y\"", time: RuntimeLogTests.time, format: .text)
                == #"time="2026-01-02T03:04:05Z" level=debug msg="x \"y\"""# + "\n")
    }
}

@Suite struct ConcatenationTests {
    @Test(arguments: [[], [""], ["cpu"], ["cpu", "cpuacct"], ["", "a", ""], ["a", "b", "c"]] as [[String]])
    func stringsJoinAsJoinedDoes(parts: [String]) {
        #expect(parts.concatenated(separator: ",") == parts.joined(separator: ","))
        #expect(parts.concatenated(separator: "") == parts.joined())
    }

    @Test func substringsJoinAsJoinedDoes() {
        let parts = "/a//b/c/".split(separator: "/", omittingEmptySubsequences: false)
        #expect(parts.concatenated(separator: "/") == parts.joined(separator: "/"))
        #expect(parts.concatenated(separator: "/") == "/a//b/c/")
        #expect([Substring]().concatenated(separator: "/") == "")
    }
}

@Suite struct ErrnoDescriptionTests {
    @Test func strerrorWithALowerCaseFirstLetterAsGoWordsIt() {
        #expect(Syscall.describe(ENOENT) == "no such file or directory")
        #expect(Syscall.describe(EACCES) == "permission denied")
        #expect(Syscall.describe(EIO) == "input/output error")
        #expect(Syscall.describe(EDOTDOT) == "RFS specific error")  // an initialism stays as it is
    }
}
