import OCI

enum ResumeCommand {
    static func run(id: String, _ runtime: Runtime) throws(OCIError) {
        try runtime.resume(id: id)
    }
}
