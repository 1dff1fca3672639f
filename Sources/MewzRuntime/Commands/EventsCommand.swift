import OCI

enum EventsCommand {
    /// One JSON object per line on stdout.
    static func run(_ options: EventsOptions, _ runtime: Runtime) throws(OCIError) {
        try runtime.events(id: options.id, stats: options.stats, intervalMilliseconds: options.intervalMilliseconds) { line in
            Output.write(line, to: 1)
        }
    }
}
