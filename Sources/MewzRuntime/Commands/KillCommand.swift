import OCI

enum KillCommand {
    static func run(_ options: KillOptions, _ runtime: Runtime) throws(OCIError) {
        try runtime.kill(options)
    }
}
