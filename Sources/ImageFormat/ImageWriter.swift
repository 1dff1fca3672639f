/// Lays out and serialises an image: header, then the ELF (if any) at the
/// first page boundary after it, then the ROFS (if any) at the next page
/// boundary, the file padded with zeros to a whole page. The header's
/// content digest covers everything after the header.
public enum ImageWriter {
    /// Where the sections go and how long the file is.
    public static func layout(elfSize: UInt64, rofsSize: UInt64) -> (elf: ImageSection, rofs: ImageSection, fileSize: UInt64) {
        let page = ImageHeader.pageSize
        func pageAligned(_ value: UInt64) -> UInt64 { (value + page - 1) / page * page }
        var fileSize = UInt64(ImageHeader.size)
        var elf = ImageSection.empty, rofs = ImageSection.empty
        if elfSize > 0 {
            elf = ImageSection(offset: fileSize, size: elfSize)
            fileSize = pageAligned(fileSize + elfSize)
        }
        if rofsSize > 0 {
            rofs = ImageSection(offset: fileSize, size: rofsSize)
            fileSize = pageAligned(fileSize + rofsSize)
        }
        return (elf, rofs, fileSize)
    }

    /// The image file's bytes. The header's section fields and content
    /// digest are filled in; everything else in it is written as given.
    public static func image(header: ImageHeader, elf: UnsafeRawBufferPointer, rofs: UnsafeRawBufferPointer) -> [UInt8] {
        let placement = layout(elfSize: UInt64(elf.count), rofsSize: UInt64(rofs.count))
        var file = [UInt8](repeating: 0, count: ImageHeader.size)
        file.reserveCapacity(Int(placement.fileSize))
        file.append(contentsOf: elf)
        if !rofs.isEmpty {
            file.append(contentsOf: repeatElement(0, count: Int(placement.rofs.offset) - file.count))
            file.append(contentsOf: rofs)
        }
        file.append(contentsOf: repeatElement(0, count: Int(placement.fileSize) - file.count))
        var header = header
        header.elf = placement.elf
        header.rofs = placement.rofs
        header.contentDigest = file.withUnsafeBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: $0[ImageHeader.size...])) }
        file.replaceSubrange(0..<ImageHeader.size, with: header.encoded())
        return file
    }

    public static func image(header: ImageHeader, elf: [UInt8], rofs: [UInt8] = []) -> [UInt8] {
        elf.withUnsafeBytes { elf in rofs.withUnsafeBytes { rofs in image(header: header, elf: elf, rofs: rofs) } }
    }
}
