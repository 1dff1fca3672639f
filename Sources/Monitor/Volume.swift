/// A writable (or explicitly read-only) filesystem the guest sees at `destination` besides its
/// read-only rootfs: a host directory the monitor serves (a bind mount) or a RAM filesystem.
public struct Volume: Equatable, Sendable {
    public enum Backing: Equatable, Sendable {
        /// The host directory at `source` (absolute), opened when the VM is created.
        case hostDirectory(source: String)
        /// A RAM filesystem of at most `size` bytes.
        case tmpfs(size: UInt64)
    }

    /// An absolute, normalised path inside the guest ("/" included).
    public var destination: String
    public var backing: Backing
    public var readOnly: Bool

    public init(destination: String, backing: Backing, readOnly: Bool) {
        self.destination = destination
        self.backing = backing
        self.readOnly = readOnly
    }

    /// MEWZ_VOLUME_MAX: more mounts than this are refused.
    public static let maximumCount = 64
}
