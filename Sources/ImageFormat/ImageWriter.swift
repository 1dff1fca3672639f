/// Lays out and serialises an image: header, then the ELF at the first page
/// boundary after it, then the ROFS (if any) at the next page boundary, the
/// file padded with zeros to a whole page.
public enum ImageWriter {
    /// Where the sections go and how long the file is.
    public static func layout(elfSize: Int, rofsSize: Int) -> (elf: ImageSection, rofs: ImageSection, fileSize: Int) {
        let page = Int(ImageHeader.pageSize)
        func pageAligned(_ value: Int) -> Int { (value + page - 1) / page * page }
        let elf = ImageSection(offset: UInt64(ImageHeader.size), size: UInt64(elfSize))
        var fileSize = pageAligned(ImageHeader.size + elfSize)
        var rofs = ImageSection.empty
        if rofsSize > 0 {
            rofs = ImageSection(offset: UInt64(fileSize), size: UInt64(rofsSize))
            fileSize = pageAligned(fileSize + rofsSize)
        }
        return (elf, rofs, fileSize)
    }

    /// The image file's bytes. The header's section fields are replaced by
    /// the layout; everything else in it is written as given.
    public static func image(header: ImageHeader, elf: UnsafeRawBufferPointer, rofs: UnsafeRawBufferPointer) -> [UInt8] {
        let placement = layout(elfSize: elf.count, rofsSize: rofs.count)
        var header = header
        header.elf = placement.elf
        header.rofs = placement.rofs
        var file = header.encoded()
        file.reserveCapacity(placement.fileSize)
        file.append(contentsOf: elf)
        if !rofs.isEmpty {
            file.append(contentsOf: repeatElement(0, count: Int(placement.rofs.offset) - file.count))
            file.append(contentsOf: rofs)
        }
        file.append(contentsOf: repeatElement(0, count: placement.fileSize - file.count))
        return file
    }

    public static func image(header: ImageHeader, elf: [UInt8], rofs: [UInt8] = []) -> [UInt8] {
        elf.withUnsafeBytes { elf in rofs.withUnsafeBytes { rofs in image(header: header, elf: elf, rofs: rofs) } }
    }
}
