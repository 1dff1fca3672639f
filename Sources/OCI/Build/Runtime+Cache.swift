import Glibc
import ImageBuilder
import ImageFormat

extension Runtime {
    /// `cache list|prune|verify`; returns the exit status (verify: 1 when an entry was damaged).
    public func cache(_ options: CacheOptions) throws(OCIError) -> Int32 {
        let cache: ImageCache
        var environment = ProcessControl.environment
        if let cacheDirectory { environment["MEWZ_CACHE_DIR"] = PathName.absolute(cacheDirectory, from: try PathName.currentDirectory()) }
        do {
            cache = ImageCache(directory: try BuildConfiguration.cacheDirectory(environment: environment))
        } catch {
            throw .build(error.description)
        }
        let now = time(nil)
        switch options.action {
        case .list:
            var lines = [["KIND", "KEY", "SIZE", "CREATED", "LAST USED", "STATE"]]
            for entry in cache.entries() {
                lines.append([entry.kind.rawValue, String(entry.key.prefix(12)), Self.megabytes(entry.size),
                              Self.utc(entry.created), Self.utc(entry.lastUsed), entry.problem.map { "damaged: \($0)" } ?? "ok"])
            }
            write(Self.table(lines))
            return 0
        case .prune:
            var freed: UInt64 = 0
            // A compiled entry is stale when this runtime (guest library, compiler, flags) would
            // file its module under another key; without a guest library, none is judged so.
            let builder = (try? buildConfiguration(progress: nil)).map(ImageBuilder.init(configuration:))
            let currentKey = builder.map { builder in { (digest: SHA256Digest) in try? builder.cacheKey(moduleDigest: digest) } }
            for entry in cache.prunable(all: options.all, now: now, currentKey: currentKey) where cache.remove(entry) {
                write("deleted \(entry.kind.rawValue) \(entry.key)\n")
                freed += entry.size
            }
            freed += cache.removeLeftovers(now: now)
            write("Total reclaimed space: \(Self.megabytes(freed))\n")
            return 0
        case .verify:
            var damaged = false
            for entry in cache.entries() {
                if let problem = cache.verify(entry) {
                    damaged = true
                    let removed = cache.remove(entry)
                    write("damaged \(entry.kind.rawValue) \(entry.key): \(problem)\(removed ? " (removed)" : "")\n")
                } else {
                    write("ok \(entry.kind.rawValue) \(entry.key)\n")
                }
            }
            return damaged ? 1 : 0
        }
    }

    private func write(_ text: String) {
        _ = FileIO.writeAll(1, Array(text.utf8))
    }

    /// "2026-12-04 18:48 UTC".
    static func utc(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        // tm_year is an Int32 that a file's time can put near its maximum: widened first.
        return "\(Int(parts.tm_year) + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }

    /// Columns padded to their widest cell, three spaces apart, the last one not padded.
    static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == columns - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "   ")
        }.joined(separator: "\n") + "\n"
    }
}
