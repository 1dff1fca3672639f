import ImageFormat

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes one image file as a stream: the sections are appended through a
/// buffer and hashed as they go, the header (which holds their digest) is
/// written last at offset 0, and the file appears under its final name only
/// when whole (a temporary file beside it, fsync, rename). Dropped without
/// `finish`, it removes the temporary file. Nothing has to be in memory at
/// once but the buffer, however large the rootfs.
final class ImageFileWriter {
    static let bufferSize = 1 << 20

    let path: String
    private let temporary: String
    private let fd: Int32
    private let base: UnsafeMutableRawPointer
    private var buffer: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base, count: Self.bufferSize) }
    private var freed = false
    private var buffered = 0
    private var hasher = SHA256()
    /// Bytes appended after the header so far.
    private(set) var written: UInt64 = 0
    private var done = false

    /// A temporary file beside `path` (or in `temporaryDirectory`).
    init(path: String, temporaryDirectory: String? = nil) throws(ImageBuildError) {
        self.path = path
        let beside = temporaryDirectory.map { $0 + "/" + FileSystem.baseName(path) } ?? path
        (fd, temporary) = try FileSystem.createUniqueFile(beside: beside)
        base = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 4096)
        guard lseek(fd, off_t(ImageHeader.size), SEEK_SET) >= 0 else {
            let code = errno
            abandon()
            throw .io("seek in", temporary, errno: code)
        }
    }

    deinit {
        abandon()
    }

    private func abandon() {
        if !done {
            done = true
            close(fd)
            unlink(temporary)
        }
        if !freed {
            freed = true
            base.deallocate()
        }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(ImageBuildError) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let take = min(rest.count, buffer.count - buffered)
            UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<buffered + take])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            buffered += take
            rest = rest.dropFirst(take)
            if buffered == buffer.count { try flush() }
        }
    }

    func append(_ bytes: [UInt8]) throws(ImageBuildError) {
        var offset = 0
        while offset < bytes.count {
            let take = min(bytes.count - offset, buffer.count - buffered)
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<buffered + take])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + take]))
            }
            buffered += take
            offset += take
            if buffered == buffer.count { try flush() }
        }
    }

    func appendZeros(_ count: UInt64) throws(ImageBuildError) {
        var left = count
        while left > 0 {
            let take = Int(min(left, UInt64(buffer.count - buffered)))
            UnsafeMutableRawBufferPointer(rebasing: buffer[buffered..<buffered + take]).initializeMemory(as: UInt8.self, repeating: 0)
            buffered += take
            left -= UInt64(take)
            if buffered == buffer.count { try flush() }
        }
    }

    /// Appends exactly `count` bytes read from `source` (an open file), read
    /// straight into the buffer; false if the file ends first.
    func append(from source: Int32, count: UInt64, path sourcePath: String) throws(ImageBuildError) -> Bool {
        var left = count
        while left > 0 {
            let room = min(UInt64(buffer.count - buffered), left)
            let got = read(source, base + buffered, Int(room))
            if got < 0 {
                if errno == EINTR { continue }
                throw .rootfsUnreadable(sourcePath, errno: errno)
            }
            if got == 0 { return false }
            buffered += got
            left -= UInt64(got)
            if buffered == buffer.count { try flush() }
        }
        return true
    }

    private func flush() throws(ImageBuildError) {
        guard buffered > 0 else { return }
        hasher.update(UnsafeRawBufferPointer(start: base, count: buffered))
        var offset = 0
        while offset < buffered {
            let count = write(fd, base + offset, buffered - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("write", temporary, errno: errno)
            }
            offset += count
        }
        written += UInt64(buffered)
        buffered = 0
    }

    /// Offset from the start of the file of the next byte appended.
    var fileOffset: UInt64 { UInt64(ImageHeader.size) + written + UInt64(buffered) }

    /// Pads to a page, writes `header` (its content digest filled in) at
    /// offset 0, and moves the file to `path`. Returns the header written.
    @discardableResult
    func finish(header: ImageHeader) throws(ImageBuildError) -> ImageHeader {
        let page = ImageHeader.pageSize
        try appendZeros((page - fileOffset % page) % page)
        try flush()
        var header = header
        header.contentDigest = hasher.finalize()
        let bytes = header.encoded()
        let wrote = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard wrote == bytes.count else { throw .io("write", temporary, errno: wrote < 0 ? errno : EIO) }
        // Readable by other users; durable before it becomes visible.
        guard fchmod(fd, 0o644) == 0 else { throw .io("chmod", temporary, errno: errno) }
        guard fsync(fd) == 0 else { throw .io("sync", temporary, errno: errno) }
        guard rename(temporary, path) == 0 else { throw .io("rename a temporary file to", path, errno: errno) }
        done = true
        close(fd)
        return header
    }
}
