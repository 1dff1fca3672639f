// FuzzHypercalls <guest ELF> <seed> <VMs> <calls per VM>
//
// hack/fuzz hypercall: boots Fuzzing/Guests/hypercall_fuzz.c under the monitor (this process,
// built with AddressSanitizer) once per seed from <seed> on, each VM making <calls per VM>
// random hypercalls (file calls on a host volume among them) and then ending one of five ways.
// The guest checks every answer against abi.h; this side checks that each VM ended the way the
// guest said it would, and that nothing outside the volume changed (VolumeSandbox). A monitor
// crash, a sanitizer report or a hang ends this process (hack/fuzz counts those). Stdout gets
// one line per finding and then "counts <hypercalls> 0 <mismatches> 0" (each VM counts its
// calls budget, whether or not it got through it).
import Glibc
import Monitor

func fail(_ message: String) -> Never {
    let line = Array("FuzzHypercalls: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

func readFile(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    _ = lseek(fd, 0, SEEK_SET)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        bytes += chunk[0..<count]
    }
    return bytes
}

/// An unlinked temporary file: the guest's stdin (seeded bytes) or stderr.
func temporaryFile(_ contents: [UInt8] = []) -> Int32 {
    var template = Array("/tmp/mewz-fuzz-hypercalls-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { fail("cannot create a temporary file") }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    _ = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    _ = lseek(fd, 0, SEEK_SET)
    return fd
}

/// The VM's volume, in a sandbox directory of its own beside a sentinel file and an empty
/// directory that the guest's symlinks point at. The monitor must never reach either: after the
/// run the sandbox holds what it held, and a read-only volume is as it was.
struct VolumeSandbox {
    static let sentinelText = "sentinel\n"
    let root: String
    var volume: String { root + "/volume" }

    init() {
        var template = Array("/tmp/mewz-fuzz-volume-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            fail("cannot create a volume directory")
        }
        root = String(cString: template)
        let volume = root + "/volume"
        var made = mkdir(volume, 0o755) == 0 && mkdir(root + "/outside", 0o755) == 0
            && mkdir(volume + "/d", 0o755) == 0 && mkfifo(volume + "/fifo", 0o644) == 0
        made = made && Self.create(root + "/sentinel", Self.sentinelText) && Self.create(volume + "/f", "hello\n")
            && Self.create(volume + "/d/f2", "two\n")
        for (name, target) in [("up", ".."), ("abs", root + "/outside"), ("loop", "loop"), ("self", "/proc/self/root")] {
            made = made && symlink(target, volume + "/" + name) == 0
        }
        guard made else { fail("cannot fill the volume directory \(volume)") }
    }

    static func create(_ path: String, _ text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// The names in directory `path`, "." and ".." left out; none when it cannot be read.
    static func names(in path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Every entry under `path` as "relative-path kind size", sorted; symlinks not followed.
    static func listing(_ path: String, prefix: String = "") -> [String] {
        var lines: [String] = []
        for name in names(in: path) {
            var info = stat()
            guard lstat(path + "/" + name, &info) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            lines.append("\(prefix)\(name) \(kind) \(kind == S_IFREG ? info.st_size : 0)")
            if kind == S_IFDIR { lines += listing(path + "/" + name, prefix: prefix + name + "/") }
        }
        return lines.sorted()
    }

    /// What changed outside the volume (and inside a read-only one, against `before`).
    func problem(readOnlyBefore before: [String]?) -> String? {
        let around = Self.listing(root).filter { !$0.hasPrefix("volume/") }
        let expected = ["outside \(S_IFDIR) 0", "sentinel \(S_IFREG) \(Self.sentinelText.utf8.count)",
                        "volume \(S_IFDIR) 0"]
        if around != expected { return "outside the volume: \(around)" }
        let fd = open(root + "/sentinel", O_RDONLY | O_CLOEXEC)
        let text = fd >= 0 ? String(decoding: readFile(fd), as: UTF8.self) : ""
        if fd >= 0 { close(fd) }
        if text != Self.sentinelText { return "the sentinel beside the volume changed" }
        if let before, Self.listing(volume) != before { return "a read-only volume changed: \(Self.listing(volume))" }
        return nil
    }

    func remove() { Self.removeTree(root) }

    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in names(in: path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

/// Every executable of this package links libFuzzer's main, which calls LLVMFuzzerInitialize
/// first: this program is not input-driven, so it does all its work there and exits.
@_cdecl("LLVMFuzzerTestOneInput")
public func unusedTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { 0 }

@_cdecl("LLVMFuzzerInitialize")
public func fuzzHypercalls(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    FuzzHypercalls.main()
    exit(0)
}

enum FuzzHypercalls {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count == 5, let firstSeed = UInt64(arguments[2]), let machines = Int(arguments[3]),
              let calls = Int(arguments[4]) else {
            fail("usage: FuzzHypercalls <guest ELF> <seed> <VMs> <calls per VM>")
        }
        let elfFD = open(arguments[1], O_RDONLY | O_CLOEXEC)
        guard elfFD >= 0 else { fail("cannot open \(arguments[1])") }
        let elf = readFile(elfFD)
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        let endings = ["exit", "unknown", "outside", "misaligned", "trap"]
        var hypercalls = 0
        var mismatches = 0

        for machine in 0..<machines {
            let seed = firstSeed &+ UInt64(machine)
            let ending = endings[Int(seed % UInt64(endings.count))]
            var generator = seed &* 0x9E37_79B9_7F4A_7C15 | 1
            let stdinBytes = (0..<(1 << 20)).map { _ -> UInt8 in
                generator ^= generator << 13; generator ^= generator >> 7; generator ^= generator << 17
                return UInt8(truncatingIfNeeded: generator)
            }
            let stdin = temporaryFile(stdinBytes)
            let stderr = temporaryFile()
            // 16 MiB of linear memory at most, 1 page at the start: room to grow by MEWZ_HC_MEMORY.
            var configuration = VMConfiguration(arguments: ["hypercall_fuzz", "\(seed)", "\(calls)", ending],
                                                environment: [], linearMemoryMaxPages: 256)
            configuration.linearMemoryMinPages = 1
            configuration.requiredCPUFeatures = []
            configuration.confinesMonitor = false  // this process boots the next VM
            configuration.tracesBoot = false
            configuration.stdinFD = stdin
            configuration.stdoutFD = devNull
            configuration.stderrFD = stderr
            // One host volume, read-only for every third seed.
            let sandbox = VolumeSandbox()
            let readOnly = seed % 3 == 0
            let volumeBefore = readOnly ? VolumeSandbox.listing(sandbox.volume) : nil
            configuration.volumes = [Volume(destination: "/data", backing: .hostDirectory(source: sandbox.volume),
                                            readOnly: readOnly)]
            let termination: Termination
            do {
                termination = try elf.withUnsafeBytes { bytes throws(MonitorError) in
                    try VirtualMachine(elf: bytes, configuration: configuration).run()
                }
            } catch {
                fail("seed \(seed): the VM did not start: \(error)")
            }
            let output = String(decoding: readFile(stderr), as: UTF8.self)
            if getenv("MEWZ_FUZZ_VERBOSE") != nil { print(output) }
            close(stdin)
            close(stderr)
            let finished = output.contains("hypercall-fuzz: \(calls) calls\n")
            let expected: Bool
            switch (ending, termination) {
            case ("exit", .exited(0)): expected = true
            case ("unknown", .failed), ("outside", .failed), ("misaligned", .failed): expected = true
            case ("trap", .trapped): expected = true
            default: expected = false
            }
            // A VM that a finding ended early counts its whole budget too: hack/fuzz --count
            // runs until the counts reach its number, and would never stop on a guest that
            // finds the same mismatch early in every VM.
            hypercalls += calls
            if !finished || !expected || output.contains("MISMATCH") {
                mismatches += 1
                let found = output.split(separator: "\n").first { $0.hasPrefix("MISMATCH") } ?? ""
                print("hypercall: seed \(seed) (ending \(ending)): \(termination) \(found)")
            }
            if let problem = sandbox.problem(readOnlyBefore: volumeBefore) {
                mismatches += 1
                print("hypercall: seed \(seed) (volume \(sandbox.volume)): \(problem)")
            } else {
                sandbox.remove()
            }
        }
        print("counts \(hypercalls) 0 \(mismatches) 0")
    }
}
