import CKVM
import CMewzABI
import Foundation
import Glibc
import Testing
@testable import Monitor

/// MEWZ_HC_FS against plain memory and a real host directory: the close that rides on the
/// next call (struct mewz_hc_fs `closing`, its descriptor closed after the answer), the
/// one-name fast path of path calls, and write-behind (HostVolumes.writeBehindBytes).
struct FileHypercallTests {
    static let argumentAddress: UInt64 = 0x1000
    static let pathAddress: UInt64 = 0x2000
    static let vectorAddress: UInt64 = 0x3000
    static let dataAddress: UInt64 = 0x4000

    let fake = FakeGuestMemory()
    let root: String
    let hypercalls: Hypercalls

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-fs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let volumes = try HostVolumes([Volume(destination: "/data", backing: .hostDirectory(source: root), readOnly: false)])
        let descriptors = HostDescriptors(stdin: -1, stdout: -1, stderr: -1)
        hypercalls = Hypercalls(memory: fake.memory, descriptors: descriptors, volumes: volumes)
    }

    /// Stores a MEWZ_HC_FS argument at argumentAddress, `path` at pathAddress.
    func store(_ op: mewz_fs_op, handle: UInt32 = 0, path: String = "", closing: UInt32 = 0,
               configure: (inout mewz_hc_fs) -> Void = { _ in }) {
        fake.memory.write(Array(path.utf8), at: Self.pathAddress)
        var request = mewz_hc_fs()
        request.op = op.rawValue
        request.handle = handle
        request.path_addr = Self.pathAddress
        request.path_len = UInt64(path.utf8.count)
        request.closing = closing
        configure(&request)
        fake.store(request, at: Self.argumentAddress)
    }

    /// One MEWZ_HC_FS call, made as an exit makes it; the answered struct.
    func call(_ op: mewz_fs_op, handle: UInt32 = 0, path: String = "", closing: UInt32 = 0,
              configure: (inout mewz_hc_fs) -> Void = { _ in }) -> mewz_hc_fs {
        store(op, handle: handle, path: path, closing: closing, configure: configure)
        #expect(hypercalls.handle(number: MEWZ_HC_FS.rawValue, argument: Self.argumentAddress) == .resume)
        return fake.load(mewz_hc_fs.self, at: Self.argumentAddress)!
    }

    func create(_ name: String) -> UInt32 {
        let opened = call(MEWZ_FS_OPEN, path: name) {
            $0.flags = Hypercalls.WASIOpen.create
            $0.arg2 = 2  // write
        }
        #expect(opened.error == WASIErrno.success)
        return UInt32(opened.result)
    }

    func write(_ handle: UInt32, _ text: String, closing: UInt32 = 0) -> mewz_hc_fs {
        fake.memory.write(Array(text.utf8), at: Self.dataAddress)
        fake.store(mewz_hc_iovec(addr: Self.dataAddress, len: UInt64(text.utf8.count)), at: Self.vectorAddress)
        return call(MEWZ_FS_WRITE, handle: handle, closing: closing) {
            $0.buf_addr = Self.vectorAddress
            $0.buf_len = 1
        }
    }

    /// This process's descriptors open on `path` (tests run side by side: others are theirs).
    static func descriptors(on path: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.filter { entry in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + entry)
            return target == path || target == path + " (deleted)"
        }.count
    }

    @Test func aCloseRidesOnTheNextCallAndFreesTheHostDescriptor() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let handle = create("a")
        #expect(write(handle, "kept").result == 4)
        #expect(Self.descriptors(on: root + "/a") == 1)
        // The unlink carries the close: the handle is gone at once, its host descriptor once
        // the call is answered.
        let unlinked = call(MEWZ_FS_UNLINK, path: "a", closing: handle + 1)
        #expect(unlinked.error == WASIErrno.success)
        #expect(write(handle, "late").error == WASIErrno.badDescriptor)
        #expect(Self.descriptors(on: root + "/a") == 1)
        hypercalls.afterAnswer()
        #expect(Self.descriptors(on: root + "/a") == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/a"))
    }

    @Test(.timeLimit(.minutes(1))) func theRingServerClosesAReleasedDescriptorAfterItsAnswer() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A server that spins ten seconds before it sleeps: it sees the call however busy the
        // machine is.
        let ring = try HypercallRing(memory: fake.memory, hypercalls: hypercalls, owner: fake, parksWhenStopped: false,
                                     spinNanoseconds: 10_000_000_000)
        try ring.start()
        ring.open()
        defer { ring.stop() }
        let handle = create("r")
        // The guest posts an unlink that carries the close, as Guest/hc/ring.c does.
        store(MEWZ_FS_UNLINK, path: "r", closing: handle + 1)
        let deadline = ContinuousClock.now + .seconds(10)
        while ckvm_atomic_load(fake.ringWord(\.listening)) == 0, ContinuousClock.now < deadline { sched_yield() }
        let seq = fake.postToRing(number: MEWZ_HC_FS.rawValue, argument: Self.argumentAddress)
        while ckvm_atomic_load(fake.ringWord(\.answered)) != seq || Self.descriptors(on: root + "/r") != 0,
              ContinuousClock.now < deadline {
            sched_yield()
        }
        #expect(ckvm_atomic_load(fake.ringWord(\.answered)) == seq)
        #expect(fake.load(mewz_hc_fs.self, at: Self.argumentAddress)?.error == WASIErrno.success)
        #expect(Self.descriptors(on: root + "/r") == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/r"))
    }

    @Test func aCloseOfAHandleThatIsNotOpenIsPassedOver() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let handle = create("b")
        for bogus: UInt32 in [handle + 2, 1_000, UInt32(MEWZ_FS_HANDLE_MAX) + 5, .max] {
            // The call itself is answered as if nothing rode on it.
            #expect(write(handle, "x", closing: bogus).result == 1)
        }
        #expect(try String(contentsOfFile: root + "/b", encoding: .utf8) == "xxxx")
    }

    @Test func theCallThatCarriesACloseMayReuseItsHandle() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = create("c")
        let second = call(MEWZ_FS_OPEN, path: "d", closing: first + 1) {
            $0.flags = Hypercalls.WASIOpen.create
            $0.arg2 = 2
        }
        #expect(second.error == WASIErrno.success)
        #expect(UInt32(second.result) == first)  // the lowest free handle: the one just closed
        #expect(write(first, "to d").result == 4)
        #expect(try String(contentsOfFile: root + "/d", encoding: .utf8) == "to d")
    }

    /// The host's page-cache state of the file at `path` (cachestat, Linux 6.5): its dirty
    /// pages, and those under writeback.
    static func pageCache(_ path: String) -> (dirty: UInt64, writeback: UInt64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var range: (UInt64, UInt64) = (0, 0)  // offset 0, length 0: the whole file
        var stat: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        let status = withUnsafeMutablePointer(to: &range) { range in
            withUnsafeMutablePointer(to: &stat) { stat in
                ckvm_cancellable_syscall(451 /* cachestat */, Int(fd), Int(bitPattern: range), Int(bitPattern: stat), 0, 0)
            }
        }
        return status == 0 ? (stat.1, stat.2) : nil
    }

    /// Whether the temporary directory keeps written pages dirty until writeback (a disk), as
    /// tmpfs does not.
    static let temporaryDirectoryIsOnDisk: Bool = {
        // The type of the longest mount point over it, from /proc/self/mounts.
        let directory = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        var best = (point: "", type: "")
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 2 else { continue }
            let point = fields[1], prefix = point == "/" ? "/" : point + "/"
            if directory == point || directory.hasPrefix(prefix), point.count >= best.point.count {
                best = (point, fields[2])
            }
        }
        return !best.point.isEmpty && best.type != "tmpfs" && best.type != "ramfs"
    }()

    /// Writes `bytes` to `handle` in one call: vectors of up to 256 KiB over the same guest RAM.
    func writeVectored(_ handle: UInt32, _ bytes: UInt64) -> mewz_hc_fs {
        let piece: UInt64 = 256 << 10
        var vectors: [mewz_hc_iovec] = []
        var left = bytes
        while left > 0 {
            vectors.append(mewz_hc_iovec(addr: 0x4_0000, len: min(piece, left)))
            left -= min(piece, left)
        }
        for (index, vector) in vectors.enumerated() {
            fake.store(vector, at: Self.vectorAddress + UInt64(index * MemoryLayout<mewz_hc_iovec>.stride))
        }
        return call(MEWZ_FS_WRITE, handle: handle) {
            $0.buf_addr = Self.vectorAddress
            $0.buf_len = UInt64(vectors.count)
        }
    }

    /// The write that takes a handle past HostVolumes.writeBehindBytes starts its file's
    /// writeback: right after it, none of the file's pages is dirty any more. A file written
    /// one page short of it keeps its pages dirty for the kernel to write back when it will.
    @Test(.enabled(if: temporaryDirectoryIsOnDisk && pageCache("/proc/self/exe") != nil,
                   "needs a disk filesystem under the temporary directory and cachestat (Linux 6.5)"))
    func writingPastTheWriteBehindSizeStartsTheFilesWriteback() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let limit = HostVolumes.writeBehindBytes
        let short = create("short"), full = create("full")
        #expect(writeVectored(short, limit - 4096).result == limit - 4096)
        #expect(writeVectored(full, limit / 2).result == limit / 2)
        let halfway = try #require(Self.pageCache(root + "/full"))
        #expect(writeVectored(full, limit / 2).result == limit / 2)
        let shortState = try #require(Self.pageCache(root + "/short"))
        let fullState = try #require(Self.pageCache(root + "/full"))
        let pages = limit / 4096
        print("mewz-monitor: write-behind: dirty pages \(shortState.dirty) of \(pages - 1) one page short, "
              + "\(halfway.dirty) halfway, \(fullState.dirty) (\(fullState.writeback) under writeback) past it")
        #expect(shortState.dirty > (pages - 1) / 2)
        #expect(halfway.dirty > pages / 4)
        #expect(fullState.dirty < pages / 8)
    }

    /// WASI times are unsigned: a host file from before 1970 is stat'ed as time 0, not a trap of
    /// the monitor (any volume can hold one, and any `ls` stats it).
    @Test func aFileFromBefore1970IsStatedAsTimeZero() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = create("old")
        let old = [timespec(tv_sec: -315_619_200, tv_nsec: 0), timespec(tv_sec: -1, tv_nsec: 500)]
        #expect(utimensat(AT_FDCWD, root + "/old", old, 0) == 0)
        let answered = call(MEWZ_FS_PATH_FILESTAT, path: "old") { $0.buf_addr = Self.dataAddress }
        #expect(answered.error == WASIErrno.success)
        #expect(fake.load(UInt64.self, at: Self.dataAddress + 40) == 0)  // atim
        #expect(fake.load(UInt64.self, at: Self.dataAddress + 48) == 0)  // mtim
        #expect(Hypercalls.wasiTimestamp(timespec(tv_sec: 2, tv_nsec: 5)) == 2_000_000_005)
        #expect(Hypercalls.wasiTimestamp(timespec(tv_sec: Int.max, tv_nsec: 0)) == UInt64.max)
    }

    /// A ring call runs while the guest runs: a guest that flips a byte of its path between a
    /// NUL and a letter must never get a path with a NUL past guestPath ("..\0x" is ".." to
    /// the kernel), whichever value each read sees.
    @Test func aPathIsReadOnceWhileTheGuestChangesIt() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let length = 3000
        let path = try #require(fake.memory.slice(Self.pathAddress, UInt64(length)))
        path.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "a"))
        path[0] = UInt8(ascii: "."); path[1] = UInt8(ascii: ".")
        let stop = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        stop.initialize(to: 0)
        defer { stop.deallocate() }
        // Addresses as integers: the guest's thread shares nothing Swift would have to check.
        let flipAddress = UInt(bitPattern: path.baseAddress! + 2), stopAddress = UInt(bitPattern: stop)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let flipper = UnsafeMutablePointer<UInt8>(bitPattern: flipAddress)!
            let stop = UnsafeMutablePointer<UInt32>(bitPattern: stopAddress)!
            var value: UInt8 = 0
            while ckvm_atomic_load(stop) == 0 {
                value = value == 0 ? UInt8(ascii: "x") : 0
                flipper.pointee = value
            }
            done.signal()
        }
        var refused = 0, passed = 0, withNul = 0
        for _ in 0..<20_000 {
            do throws(GuestErrno) {
                let text = try hypercalls.guestPath(Self.pathAddress, UInt64(length))
                passed += 1
                if text.utf8.contains(0) { withNul += 1 }
            } catch {
                #expect(error.code == WASIErrno.invalid)
                refused += 1
            }
        }
        ckvm_atomic_store(stop, 1)
        done.wait()
        #expect(withNul == 0, "\(withNul) of \(passed) paths held a NUL (\(refused) refused)")
    }

    @Test(arguments: [("a", true), ("...", true), ("a.b", true), (".x", true), ("..x", true),
                      ("", false), (".", false), ("..", false), ("a/b", false), ("a/", false), ("/", false),
                      ("..@x", false), ("a@", false)])  // "@": a NUL (not in the test's name, which the log shows)
    func plainNames(name: String, plain: Bool) {
        #expect(Hypercalls.isPlainName(name.replacingOccurrences(of: "@", with: "\0")) == plain)
    }
}
