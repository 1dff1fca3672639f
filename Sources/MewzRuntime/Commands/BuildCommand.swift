import OCI

enum BuildCommand {
    static func run(_ options: BuildOptions, _ runtime: Runtime) throws(OCIError) {
        try runtime.build(options)
    }
}
