// FuzzHypercalls <guest ELF> <seed> <VMs> <calls per VM>
//
// hack/fuzz hypercall: boots Fuzzing/Guests/hypercall_fuzz.c under the monitor (this process,
// built with AddressSanitizer) once per seed from <seed> on, each VM making <calls per VM>
// random hypercalls and then ending one of five ways. The guest checks every answer against
// abi.h; this side checks that each VM ended the way the guest said it would. A monitor crash,
// a sanitizer report or a hang ends this process (hack/fuzz counts those). Stdout gets one line
// per finding and then "counts <hypercalls> 0 <mismatches> 0".
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
            if finished { hypercalls += calls }
            if !finished || !expected || output.contains("MISMATCH") {
                mismatches += 1
                let found = output.split(separator: "\n").first { $0.hasPrefix("MISMATCH") } ?? ""
                print("hypercall: seed \(seed) (ending \(ending)): \(termination) \(found)")
            }
        }
        print("counts \(hypercalls) 0 \(mismatches) 0")
    }
}
