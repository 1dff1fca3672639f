import CShim

/// `--version`, in the three lines go-runc parses ("runc version X", "commit:", "spec:").
public enum RuntimeVersion {
    public static let version = "0.1.0"
    /// Stamped by hack/build from git ("<hash>[-dirty]"); "unknown" for an unstamped build.
    public static let commit = String(cString: cshim_build_commit())

    public static var text: String {
        "\(CommandTable.program) version \(version)\ncommit: \(commit)\nspec: \(ContainerState.ociVersion)\n"
    }
}
