import OCI

enum PsCommand {
    /// Nothing on stderr on success: go-runc reads `ps` stdout and stderr combined.
    static func run(_ options: PsOptions, _ runtime: Runtime) throws(OCIError) {
        let pids = try runtime.processes(id: options.id)
        switch options.format {
        case .json: Output.write(ProcessListFormat.json(pids), to: 1)
        case .table: Output.write(ProcessListFormat.table(pids), to: 1)
        }
    }
}
