/// The C compiler and linker an image is built with. Looked up only on a
/// cache miss, so running a cached image needs neither installed.
struct Toolchain: Equatable {
    var compiler: String
    var linker: String

    /// The Debian packages that provide both tools.
    static let packages = "clang-19 lld-19"
    static let compilerNames = ["clang", "clang-21", "clang-19", "clang-18"]
    static let linkerNames = ["ld.lld", "ld.lld-21", "ld.lld-19", "ld.lld-18"]
    /// Used when the environment has no PATH (execvp's default).
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// MEWZ_CC / MEWZ_LD when set (a path, or a name looked up in PATH),
    /// otherwise the first of the usual names found in PATH.
    static func discover(environment: [String: String]) throws(ImageBuildError) -> Toolchain {
        Toolchain(
            compiler: try find("clang", variable: "MEWZ_CC", names: compilerNames, environment: environment),
            linker: try find("ld.lld", variable: "MEWZ_LD", names: linkerNames, environment: environment))
    }

    static func find(_ tool: String, variable: String, names: [String], environment: [String: String])
        throws(ImageBuildError) -> String
    {
        let directories = (environment["PATH"] ?? defaultSearchPath).split(separator: ":").map(String.init)
        if let requested = environment[variable], !requested.isEmpty {
            if requested.contains("/") {
                guard FileSystem.isExecutableFile(requested) else {
                    throw .toolNotExecutable(variable: variable, value: requested)
                }
                return requested
            }
            guard let path = search(requested, in: directories) else {
                throw .toolNotExecutable(variable: variable, value: requested)
            }
            return path
        }
        for name in names {
            if let path = search(name, in: directories) { return path }
        }
        throw .toolMissing(tool, packages: packages, variable: variable)
    }

    private static func search(_ name: String, in directories: [String]) -> String? {
        directories.lazy.map { ($0.isEmpty ? "." : $0) + "/" + name }.first(where: FileSystem.isExecutableFile)
    }
}
