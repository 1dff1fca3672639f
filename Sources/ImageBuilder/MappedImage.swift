import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An image file mapped read-only (MAP_PRIVATE), its header parsed and
/// every section checked against the file before anything is exposed.
/// Images are never modified in place (the cache replaces them by rename),
/// so the mapping stays valid for the object's lifetime.
public final class MappedImage: @unchecked Sendable {
    public let path: String
    public let header: ImageHeader
    /// The whole file.
    public let bytes: UnsafeRawBufferPointer
    private let reader: ImageReader

    public var elf: UnsafeRawBufferPointer { reader.elf }
    /// Empty when the image has no read-only filesystem.
    public var rofs: UnsafeRawBufferPointer { reader.rofs }

    public init(path: String) throws(ImageBuildError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("open", path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io("stat", path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .io("map", path, errno: EINVAL) }
        // mmap refuses a length of 0; an empty file is simply not an image.
        guard info.st_size > 0 else { throw .invalidImage(path, .badMagic) }
        let length = Int(info.st_size)
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw .io("map", path, errno: errno)
        }
        let bytes = UnsafeRawBufferPointer(start: address, count: length)
        do {
            reader = try ImageReader(bytes)
        } catch {
            munmap(address, length)
            throw .invalidImage(path, error)
        }
        self.path = path
        self.bytes = bytes
        header = reader.header
    }

    deinit {
        if let address = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: address), bytes.count)
        }
    }
}
