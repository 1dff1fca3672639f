import OCI

enum CreateCommand {
    /// Silent on success: under containerd's shim, create's stdout is the container log.
    static func run(_ options: CreateOptions, _ runtime: Runtime) throws(OCIError) {
        try runtime.create(options)
    }
}
