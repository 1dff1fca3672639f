import OCI

enum CacheCommand {
    /// The exit status: `cache verify` fails when it found a damaged entry.
    static func run(_ options: CacheOptions, _ runtime: Runtime) throws(OCIError) -> Int32 {
        try runtime.cache(options)
    }
}
