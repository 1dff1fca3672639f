// STUB for the oci branch: the real ImageHeader lands with the ImageFormat branch (delete at merge).

public struct ImageHeader {
    public var memoryMaxPages: UInt32

    /// Only the ImageBuilder stub constructs headers.
    public init(memoryMaxPages: UInt32) {
        self.memoryMaxPages = memoryMaxPages
    }
}
