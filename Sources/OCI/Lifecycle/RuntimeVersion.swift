/// `--version`, in the three lines go-runc parses ("runc version X", "commit:", "spec:").
public enum RuntimeVersion {
    public static let version = "0.1.0"
    /// Not stamped at build time yet.
    public static let commit = "unknown"

    public static var text: String {
        "\(CommandTable.program) version \(version)\ncommit: \(commit)\nspec: \(ContainerState.ociVersion)\n"
    }
}
