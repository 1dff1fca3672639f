// STUB for the oci branch: the real ImageBuilder lands with its own branch (delete at merge).
// It builds nothing. It only walks the module's sections so a truncated module fails as the real
// builder would, and honours MEWZ_STUB_NO_TOOLCHAIN so the "missing toolchain" path can be tested.
import Glibc
import ImageFormat

public struct ImageBuildError: Error, CustomStringConvertible {
    public let description: String
}

public struct BuildConfiguration: Sendable {
    public var progress: (@Sendable (String) -> Void)?

    public static func resolve(executablePath: String, environment: [String: String])
        throws(ImageBuildError) -> BuildConfiguration
    {
        if environment["MEWZ_STUB_NO_TOOLCHAIN"] != nil {
            throw ImageBuildError(description: "no C compiler found: install clang-19 or set MEWZ_CC")
        }
        return BuildConfiguration(progress: nil)
    }
}

public struct ImageBuilder {
    let configuration: BuildConfiguration

    public init(configuration: BuildConfiguration) {
        self.configuration = configuration
    }

    /// Returns "/dev/null" as the image path after checking the section framing of `bytes`.
    public func cachedImage(forModule bytes: [UInt8], name: String) throws(ImageBuildError) -> String {
        configuration.progress?("stub image for \(name)")
        var offset = 8
        while offset < bytes.count {
            offset += 1  // section id
            var size = 0
            var shift = 0
            while true {
                guard offset < bytes.count, shift < 35 else {
                    throw ImageBuildError(description: "\(name): unexpected end at offset \(offset)")
                }
                let byte = bytes[offset]
                offset += 1
                size |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard size <= bytes.count - offset else {
                throw ImageBuildError(description: "\(name): unexpected end at offset \(bytes.count)")
            }
            offset += size
        }
        return "/dev/null"
    }
}

public final class MappedImage {
    public let header: ImageHeader
    public var elf: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    public init(path: String) throws(ImageBuildError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageBuildError(description: "cannot open image \(path)") }
        close(fd)
        header = ImageHeader(memoryMaxPages: 0)
    }
}
