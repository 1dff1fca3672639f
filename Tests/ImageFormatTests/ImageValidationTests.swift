import ImageFormat
import Testing

/// A valid image: 4096-byte header, 5000-byte ELF padded to 8192, no ROFS.
func validImage() -> [UInt8] {
    ImageWriter.image(header: sampleHeader(), elf: sampleBytes(5000, seed: 0x33))
}

func readError(_ file: [UInt8]) -> ImageFormatError? {
    do {
        _ = try ImageReader.header(of: file)
        return nil
    } catch {
        return error
    }
}

/// A header that passes the checksum but says something wrong, spliced
/// onto the valid image's body.
func image(with edit: (inout ImageHeader) -> Void) -> [UInt8] {
    var file = validImage()
    var header = (try? ImageReader.header(of: file)) ?? sampleHeader()
    edit(&header)
    file.replaceSubrange(0..<4096, with: header.encoded())
    return file
}

typealias HeaderEdit = @Sendable (inout ImageHeader) -> Void

/// Header fields set to values the reader must refuse, with its answer.
let wrongHeaders: [(String, HeaderEdit, ImageFormatError)] = [
    ("abi version", { $0.abiVersion = 1 }, .unsupportedABIVersion(1)),  // an image of the ABI before lazy linear memory
    ("cpu features", { $0.requiredCPUFeatures.insert(CPUFeatures(rawValue: 1 << 40)) }, .unknownCPUFeatures(1 << 40)),
    ("memory min > max", { $0.memoryMinPages = 5; $0.memoryMaxPages = 3 }, .invalidMemoryLimits(min: 5, max: 3)),
    ("memory max too big", { $0.memoryMaxPages = 65537 }, .invalidMemoryLimits(min: 17, max: 65537)),
    ("no elf", { $0.elf = .empty }, .elfFieldsWithoutELF),
    ("no sections", { $0 = .rofsOnly(rootfsKey: .zero) }, .noSections),
    ("rofs-only with an abi", { $0 = .rofsOnly(rootfsKey: .zero); $0.abiVersion = 3; $0.rofs = ImageSection(offset: 4096, size: 4096) },
     .elfFieldsWithoutELF),
    ("rofs too large", { $0.rofs = ImageSection(offset: 12288, size: (64 << 30) + 1) }, .rofsTooLarge((64 << 30) + 1)),
    ("elf misaligned", { $0.elf.offset = 4097 }, .sectionNotAligned(.elf, offset: 4097)),
    ("elf in header", { $0.elf.offset = 0 }, .sectionInsideHeader(.elf, offset: 0)),
    ("elf overflow", { $0.elf.size = .max }, .sectionOverflows(.elf)),
    ("elf past end", { $0.elf.size = 8193 }, .truncatedSection(.elf, end: 12289, fileSize: 12288)),
    ("elf huge offset", { $0.elf.offset = 1 << 62 }, .truncatedSection(.elf, end: (1 << 62) + 5000, fileSize: 12288)),
    ("empty rofs with offset", { $0.rofs.offset = 8192 }, .emptySectionWithOffset(.rofs, offset: 8192)),
    ("rofs overlaps elf", { $0.rofs = ImageSection(offset: 4096, size: 10) }, .sectionsOverlap(rofsOffset: 4096, elfEnd: 9096)),
    ("rofs misaligned", { $0.rofs = ImageSection(offset: 10000, size: 10) }, .sectionNotAligned(.rofs, offset: 10000)),
    ("rofs past end", { $0.rofs = ImageSection(offset: 12288, size: 1) }, .truncatedSection(.rofs, end: 12289, fileSize: 12288)),
    ("rofs overflow", { $0.rofs = ImageSection(offset: 12288, size: .max - 100) }, .rofsTooLarge(.max - 100)),
    ("rofs offset overflow", { $0.rofs = ImageSection(offset: .max - 4095, size: 4096) }, .sectionOverflows(.rofs)),
]

struct ImageValidationTests {
    @Test func validImageIsAccepted() {
        #expect(readError(validImage()) == nil)
    }

    /// Flipping any one bit of the header is detected, with the error the
    /// damaged field calls for.
    @Test func everyHeaderByteIsChecked() {
        let original = validImage()
        for offset in 0..<4096 {
            var file = original
            file[offset] ^= 0x04
            let expected: ImageFormatError =
                switch offset {
                case 0..<8: .badMagic
                case 8..<12: .unsupportedFormatVersion(2 ^ (0x04 << (8 * UInt32(offset - 8))))
                case 12..<16: .badHeaderSize(4096 ^ (0x04 << (8 * UInt32(offset - 12))))
                case 16..<232: .headerChecksumMismatch
                default: .reservedNotZero(offset: offset)
                }
            #expect(readError(file) == expected, "byte \(offset)")
        }
    }

    /// Every truncation is refused, never read past.
    @Test func everyTruncationIsRefused() {
        let original = validImage()
        for length in 0..<original.count {
            let expected: ImageFormatError =
                switch length {
                case 0..<8: .badMagic
                case 8..<4096: .truncatedHeader(fileSize: UInt64(length))
                case 4096..<9096: .truncatedSection(.elf, end: 9096, fileSize: UInt64(length))
                default: .truncatedPadding(end: 8192 + 4096, fileSize: UInt64(length))
                }
            #expect(readError(Array(original[0..<length])) == expected, "length \(length)")
        }
    }

    @Test func trailingBytesAreRefused() {
        #expect(readError(validImage() + [0]) == .trailingBytes(end: 12288, fileSize: 12289))
        #expect(readError(validImage() + [UInt8](repeating: 0, count: 4096)) == .trailingBytes(end: 12288, fileSize: 16384))
    }

    @Test(arguments: wrongHeaders)
    func semanticallyWrongHeadersAreRefused(_ name: String, edit: HeaderEdit, expected: ImageFormatError) {
        #expect(readError(image(with: edit)) == expected, "\(name)")
    }

    /// The ROFS version byte, with the checksum made right again.
    @Test func rofsVersionIsChecked() {
        var file = ImageWriter.image(header: sampleHeader(), elf: sampleBytes(10, seed: 1), rofs: sampleROFS(pages: 1))
        func setVersion(_ version: UInt8) {
            file[28] = version
            file.replaceSubrange(200..<232, with: SHA256.hash(Array(file[0..<200])).bytes)
        }
        #expect(readError(file) == nil)
        setVersion(2)
        #expect(readError(file) == .unsupportedROFSVersion(2))
        file = validImage()  // no ROFS: the field must be 0
        setVersion(1)
        #expect(readError(file) == .reservedNotZero(offset: 28))
    }

    @Test func noMemoryIsValid() {
        #expect(readError(image { $0.memoryMinPages = 0; $0.memoryMaxPages = 0 }) == nil)
    }

    @Test(arguments: [
        (ImageFormatError.badMagic, "not a mewz image (bad magic)"),
        (.unsupportedFormatVersion(7), "image format version 7 is not supported (expected 2)"),
        (.truncatedSection(.elf, end: 9096, fileSize: 5000), "image truncated: elf section ends at 9096, file is 5000 bytes"),
        (.truncatedHeader(fileSize: 10), "image truncated: the header needs 4096 bytes, file is 10 bytes"),
        (.headerChecksumMismatch, "image header is corrupt (checksum mismatch)"),
        (.trailingBytes(end: 8192, fileSize: 8200), "image has 8 unexpected bytes after its last section (file is 8200 bytes)"),
    ])
    func messagesAreOneLine(error: ImageFormatError, message: String) {
        #expect(error.description == message)
    }
}
