/// A validated view of a whole image file (typically a read-only mapping).
/// The view borrows `file`: it is valid only as long as that memory is.
public struct ImageReader {
    public let header: ImageHeader
    /// The unikernel ELF.
    public let elf: UnsafeRawBufferPointer
    /// The read-only filesystem; empty when the image has none.
    public let rofs: UnsafeRawBufferPointer

    /// Checks everything the header claims against `file` before exposing
    /// any section.
    public init(_ file: UnsafeRawBufferPointer) throws(ImageFormatError) {
        let header = try ImageHeader(validating: file, fileSize: UInt64(file.count))
        self.header = header
        elf = UnsafeRawBufferPointer(rebasing: file[Int(header.elf.offset)..<Int(header.elf.end)])
        rofs = UnsafeRawBufferPointer(rebasing: file[Int(header.rofs.offset)..<Int(header.rofs.end)])
    }

    /// The validated header of an image held in an array.
    public static func header(of file: [UInt8]) throws(ImageFormatError) -> ImageHeader {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result = file.withUnsafeBytes { buffer in
            Result { () throws(ImageFormatError) in try ImageHeader(validating: buffer, fileSize: UInt64(buffer.count)) }
        }
        return try result.get()
    }
}
