import OCI

enum ListCommand {
    static func run(_ options: ListOptions, _ runtime: Runtime) throws(OCIError) {
        let listings = try runtime.list()
        switch options.format {
        case .json: Output.write(ContainerListFormat.json(listings), to: 1)
        case .table: Output.write(ContainerListFormat.table(listings, quiet: options.quiet), to: 1)
        }
    }
}
