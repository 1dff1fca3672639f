import Foundation
import Glibc
import ImageFormat
@testable import Monitor

/// The probe ELF and a ROFS written as one image file, opened and mapped read-only the way
/// the container process maps it, for VMs that map their image instead of copying it.
final class TestImage {
    let path: String
    let fd: Int32
    let bytes: UnsafeRawBufferPointer
    let header: ImageHeader

    /// `files`: name -> contents, in the ROFS root.
    init(elf: [UInt8], files: [String: [UInt8]] = [:], rofs: Bool = true) throws {
        var rofsBytes: [UInt8] = []
        if rofs {
            var tree = ROFSTree()
            for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
                try tree.addFile(Array(name.utf8), in: ROFSTree.root, data: .bytes(contents), metadata: ROFSMetadata(mode: 0o644))
            }
            rofsBytes = try ROFSLayout(tree).bytes()
        }
        let header = ImageHeader(requiredCPUFeatures: [], memoryMinPages: 0, memoryMaxPages: 16,
                                 moduleDigest: .zero, cacheKey: .zero)
        let file = ImageWriter.image(header: header, elf: elf, rofs: rofsBytes)
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-test-image-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).img").path
        guard FileManager.default.createFile(atPath: path, contents: Data(file)) else { throw POSIXError(.EIO) }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, let address = mmap(nil, file.count, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw POSIXError(.EIO)
        }
        bytes = UnsafeRawBufferPointer(start: address, count: file.count)
        self.header = try ImageReader(bytes).header
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        close(fd)
        unlink(path)
    }

    /// The VM's view: segments mapped from the file, the ROFS from the mapping.
    var guestImage: GuestImage {
        let elf = UnsafeRawBufferPointer(rebasing: bytes[Int(header.elf.offset)..<Int(header.elf.end)])
        let rofs = header.hasROFS ? UnsafeRawBufferPointer(rebasing: bytes[Int(header.rofs.offset)..<Int(header.rofs.end)]) : nil
        return GuestImage(elf: elf, elfFile: .init(fd: fd, offset: header.elf.offset), rofs: rofs)
    }

    /// The file's bytes now, from disk.
    func contentsOnDisk() -> [UInt8] {
        (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
    }
}
