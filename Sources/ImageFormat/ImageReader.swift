/// A validated view of a whole image file (typically a read-only mapping).
/// The view borrows `file`: it is valid only as long as that memory is.
public struct ImageReader {
    public let header: ImageHeader
    /// The unikernel ELF; empty in a ROFS-only image.
    public let elf: UnsafeRawBufferPointer
    /// The read-only filesystem; empty when the image has none.
    public let rofs: UnsafeRawBufferPointer
    /// Everything after the header: what `contentDigest` covers.
    public let content: UnsafeRawBufferPointer

    /// Checks everything the header claims against `file`, and a ROFS
    /// section's superblock (magic, version, size), before exposing any
    /// section. What lies inside the sections is checked by their readers
    /// (the monitor's ELF parser, the guest's ROFS code), or in full by
    /// `verifyContent()`.
    public init(_ file: UnsafeRawBufferPointer) throws(ImageFormatError) {
        let header = try ImageHeader(validating: file, fileSize: UInt64(file.count))
        self.header = header
        elf = UnsafeRawBufferPointer(rebasing: file[Int(header.elf.offset)..<Int(header.elf.end)])
        rofs = UnsafeRawBufferPointer(rebasing: file[Int(header.rofs.offset)..<Int(header.rofs.end)])
        content = UnsafeRawBufferPointer(rebasing: file[ImageHeader.size...])
        if header.hasROFS {
            let reader: ROFSReader
            do {
                reader = try ROFSReader(rofs)
            } catch {
                throw .badROFS(error)
            }
            guard reader.size == header.rofs.size else {
                throw .badROFS(.sizeMismatch(claimed: reader.size, available: header.rofs.size))
            }
        }
    }

    /// The full check of `cache verify`: the content digest over every byte
    /// after the header, and the whole ROFS tree.
    public func verifyContent() throws(ImageFormatError) {
        guard SHA256.hash(content) == header.contentDigest else { throw .contentDigestMismatch }
        if header.hasROFS {
            do {
                _ = try ROFSReader(rofs).tree(copyingData: false)
            } catch {
                throw .badROFS(error)
            }
        }
    }

    /// The validated header of an image held in an array.
    public static func header(of file: [UInt8]) throws(ImageFormatError) -> ImageHeader {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result = file.withUnsafeBytes { buffer in
            Result { () throws(ImageFormatError) in try ImageReader(buffer).header }
        }
        return try result.get()
    }
}
