import OCI

enum StateCommand {
    /// No trailing newline, nothing on stderr: go-runc reads stdout and stderr combined.
    static func run(id: String, _ runtime: Runtime) throws(OCIError) {
        Output.write(try runtime.state(id: id), to: 1)
    }
}
