/// The part of the OCI runtime spec (config.json) mewz-runtime reads.
/// Unknown fields are ignored, as runc ignores them; known fields are strictly typed.
public struct Spec: Equatable, Sendable {
    public var ociVersion: String
    public var process: Process
    public var root: Root
    public var annotations: [String: String]
    public var hooks: Hooks
    /// linux.resources.memory.limit in bytes (runc: -1 or absent means unlimited).
    public var memoryLimit: Int64?

    public struct Process: Equatable, Sendable {
        public var terminal: Bool
        public var args: [String]
        public var env: [String]
        public var cwd: String
    }

    public struct Root: Equatable, Sendable {
        public var path: String
        public var readonly: Bool
    }

    public struct Hook: Equatable, Sendable {
        public var path: String
        public var args: [String]
        public var env: [String]
        /// Seconds; always > 0 when present.
        public var timeout: Int64?
    }

    /// Kept for the hooks issue; nothing runs them yet.
    public struct Hooks: Equatable, Sendable {
        public var prestart: [Hook] = []
        public var createRuntime: [Hook] = []
        public var createContainer: [Hook] = []
        public var startContainer: [Hook] = []
        public var poststart: [Hook] = []
        public var poststop: [Hook] = []

        public var isEmpty: Bool {
            prestart.isEmpty && createRuntime.isEmpty && createContainer.isEmpty
                && startContainer.isEmpty && poststart.isEmpty && poststop.isEmpty
        }
    }
}
