@testable import OCI

/// For suites that parse command lines written as one string (split at spaces).
protocol CommandLineParsing {}

extension CommandLineParsing {
    func parse(_ line: String) throws(OCIError) -> Invocation {
        try CommandLineParser.parse(line.split(separator: " ").map(String.init))
    }

    /// The error the line is refused with, nil when it parses.
    func refusal(_ line: String) -> OCIError? {
        do {
            _ = try parse(line)
            return nil
        } catch {
            return error
        }
    }
}
