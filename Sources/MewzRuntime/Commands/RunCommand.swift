import OCI

enum RunCommand {
    /// In the foreground, ends the way the container process ended (status or signal).
    static func run(_ options: RunOptions, _ runtime: Runtime) throws(OCIError) {
        switch try runtime.run(options) {
        case .detached: return
        case .finished(let exit): exit.reproduce()
        }
    }
}
