import Glibc
import OCI

enum Output {
    static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// runc's fatal: one line on stderr (and in --log), exit status 1.
    static func fail(_ error: OCIError, log: RuntimeLog) -> Never {
        let message = error.message.split(separator: "\n").joined(separator: " ")
        log.error(message)
        write("mewz-runtime: \(message)\n", to: 2)
        exit(1)
    }
}
