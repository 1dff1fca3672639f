import OCI

enum PauseCommand {
    static func run(id: String, _ runtime: Runtime) throws(OCIError) {
        try runtime.pause(id: id)
    }
}
