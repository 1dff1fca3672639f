import CMewzABI
import Foundation
import ImageFormat
import Testing
@testable import Monitor

/// Guests booted from a mapped image file (segments mapped, the ROFS in its read-only slot).
/// In VirtualMachineTests' serialized suite: one VM at a time per process.
extension VirtualMachineTests {
    static func mappedRun(_ arguments: [String], files: [String: [UInt8]] = ["a": Array("ROFS bytes".utf8)],
                          rofs: Bool = true, configure: (inout VMConfiguration) -> Void = { _ in })
        throws -> (TestGuest.Run, TestImage)
    {
        let image = try TestImage(elf: try TestGuest.probe.get(), files: files, rofs: rofs)
        let run = try TestGuest.run(arguments, configure: configure, image: { _ in image.guestImage })
        return (run, image)
    }

    @Test func mappedImageBootsAndReadsTheROFS() throws {
        let (run, _) = try Self.mappedRun(["rofs"])
        #expect(run.termination == .exited(0))
        #expect(run.stdout == "ROFS bytes")
    }

    /// 2 MiB pages and a 4 KiB tail: the last byte of a 2 MiB + 8 KiB section is readable.
    @Test func largeROFSIsMappedToItsLastPage() throws {
        let big = (0..<((2 << 20) + 100)).map { UInt8(0x41 + $0 % 26) }
        let (run, image) = try Self.mappedRun(["rofs"], files: ["big": big])
        #expect(image.header.rofs.size == (2 << 20) + 8192)
        #expect(run.termination == .exited(0))
        #expect(Array(run.stdout.utf8) == Array(big.prefix(64)))
    }

    @Test(arguments: [
        ("rofs-write", UInt64(0x3), MEWZ_ROFS_BASE + 8),
        ("rofs-exec", 0x11, MEWZ_ROFS_BASE),
    ])
    func writingOrExecutingTheROFSFaults(mode: String, errorCode: UInt64, address: UInt64) throws {
        let (run, image) = try Self.mappedRun([mode])
        let before = image.contentsOnDisk()
        #expect(run.termination == .trapped(MEWZ_TRAP_GUEST_FAULT.rawValue))
        #expect(run.stderr.hasPrefix("mewz-runtime: guest fault: vector 14 error 0x\(String(errorCode, radix: 16)) at rip 0x"))
        #expect(run.stderr.hasSuffix("(cr2 0x\(String(address, radix: 16)))\n"))
        #expect(image.contentsOnDisk() == before)
    }

    @Test func nothingIsMappedPastTheROFS() throws {
        let (run, image) = try Self.mappedRun(["rofs-end"])
        #expect(run.stderr.hasPrefix("mewz-runtime: guest fault: vector 14 error 0x0 at rip 0x"))
        #expect(run.stderr.hasSuffix("(cr2 0x\(String(MEWZ_ROFS_BASE + image.header.rofs.size, radix: 16)))\n"))
    }

    @Test func imageWithoutROFSReportsSizeZero() throws {
        let (run, _) = try Self.mappedRun(["rofs"], rofs: false)
        #expect(run.termination == .exited(1))
    }

    /// A data page the guest writes is its own: the image file keeps its bytes.
    @Test func writtenDataPageIsCopiedNotWrittenBack() throws {
        let image = try TestImage(elf: try TestGuest.probe.get())
        let before = image.contentsOnDisk()
        let run = try TestGuest.run(["data"], image: { _ in image.guestImage })
        #expect(run.termination == .exited(0))
        #expect(run.stdout == "initial\nchanged\n")
        #expect(!before.isEmpty && image.contentsOnDisk() == before)
        // The same image boots again with the original data.
        let again = try TestGuest.run(["data"], image: { _ in image.guestImage })
        #expect(again.stdout == "initial\nchanged\n")
    }

    @Test(arguments: ["/", "/srv/site", "/a b/ü"])
    func workingDirectoryReachesTheGuest(cwd: String) throws {
        let run = try TestGuest.run(["cwd"]) { $0.workingDirectory = cwd }
        #expect(run.termination == .exited(0))
        #expect(run.stdout == cwd)
    }

    @Test func relativeWorkingDirectoryIsRefused() {
        #expect(throws: MonitorError.self) { try TestGuest.run(["cwd"]) { $0.workingDirectory = "srv" } }
    }

    @Test func rofsMemoryMustBeWholePages() throws {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 4096)
        defer { memory.deallocate() }
        let odd = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(memory)[0..<100])
        #expect(throws: MonitorError.badROFS("its host memory is not whole pages")) {
            try TestGuest.run(["rofs"], image: { GuestImage(elf: $0, rofs: odd) })
        }
    }
}
