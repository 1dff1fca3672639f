import OCI

enum UpdateCommand {
    static func run(_ options: UpdateOptions, _ runtime: Runtime) throws(OCIError) {
        try runtime.update(options)
    }
}
