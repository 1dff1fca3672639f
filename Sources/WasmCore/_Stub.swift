// Stand-in for the decoder and validator built on another branch, so the
// ImageBuilder branch compiles; the lead deletes this file when merging.

public struct DecodeError: Error, CustomStringConvertible {
    public var description: String
}

public struct ValidationError: Error, CustomStringConvertible {
    public var description: String
}

extension Module {
    public static func hasWasmMagic(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x00, 0x61, 0x73, 0x6D])
    }

    /// Checks the 8-byte preamble only and returns an empty module.
    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> Module {
        guard hasWasmMagic(bytes) else { throw DecodeError(description: "magic header not detected (at byte 0)") }
        guard bytes.count >= 8, bytes[4..<8].elementsEqual([1, 0, 0, 0]) else {
            throw DecodeError(description: "unknown binary version (at byte 4)")
        }
        return Module()
    }

    public func validate() throws(ValidationError) {}
}
