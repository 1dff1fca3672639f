import OCI

enum DeleteCommand {
    static func run(_ options: DeleteOptions, _ runtime: Runtime) throws(OCIError) {
        try runtime.delete(options)
    }
}
