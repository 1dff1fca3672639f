import OCI

enum StartCommand {
    static func run(id: String, _ runtime: Runtime) throws(OCIError) {
        try runtime.start(id: id)
    }
}
