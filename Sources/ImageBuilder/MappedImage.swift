import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An image file mapped read-only (MAP_PRIVATE), its header parsed and every section checked
/// against the file (and a ROFS section's superblock) before anything is exposed. It keeps
/// the file open, so the monitor can map the ELF's segments from it. Images are never
/// modified in place (the cache replaces them by rename), so the mapping stays valid for the
/// object's lifetime.
public final class MappedImage: @unchecked Sendable {
    public let file: ImageFile
    public var path: String { file.path }
    public let header: ImageHeader
    /// The whole file.
    public let bytes: UnsafeRawBufferPointer
    private let reader: ImageReader

    /// Empty in a ROFS-only image.
    public var elf: UnsafeRawBufferPointer { reader.elf }
    /// Empty when the image has no read-only filesystem.
    public var rofs: UnsafeRawBufferPointer { reader.rofs }
    /// The ROFS section rounded up to whole pages (the file is padded with zeros to a page), as
    /// the guest's read-only slot needs it.
    public var rofsPages: UnsafeRawBufferPointer {
        guard header.hasROFS else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let end = (header.rofs.end + ImageHeader.pageSize - 1) & ~(ImageHeader.pageSize - 1)
        return UnsafeRawBufferPointer(rebasing: bytes[Int(header.rofs.offset)..<Int(min(end, UInt64(bytes.count)))])
    }

    public convenience init(path: String) throws(ImageBuildError) {
        try self.init(file: try ImageFile(opening: path))
    }

    public init(file: ImageFile) throws(ImageBuildError) {
        self.file = file
        // mmap refuses a length of 0; an empty file is simply not an image.
        guard file.size > 0, let length = Int(exactly: file.size) else { throw .invalidImage(file.path, .badMagic) }
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, file.fd, 0), address != MAP_FAILED else {
            throw .io("map", file.path, errno: errno)
        }
        let bytes = UnsafeRawBufferPointer(start: address, count: length)
        do {
            reader = try ImageReader(bytes)
        } catch {
            munmap(address, length)
            throw .invalidImage(file.path, error)
        }
        self.bytes = bytes
        header = reader.header
    }

    /// The full check (`cache verify`): the content digest and the whole ROFS tree.
    public func verifyContent() throws(ImageBuildError) {
        do {
            try reader.verifyContent()
        } catch {
            throw .invalidImage(file.path, error)
        }
    }

    deinit {
        if let address = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: address), bytes.count)
        }
    }
}
