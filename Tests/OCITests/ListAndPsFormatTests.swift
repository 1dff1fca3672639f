import Foundation
import Testing
@testable import OCI

/// `list` and `ps` output exactly as runc prints it (oci-contract.md §2, "What clients parse").
@Suite struct ListAndPsFormatTests {
    private func listing(_ id: String, pid: Int32, status: ContainerStatus, owner: String = "root") -> ContainerListing {
        let state = ContainerState(
            id: id, pid: pid, pidStartTime: 1, bundle: "/b/" + id, rootfs: "/b/\(id)/rootfs",
            created: Timestamp(seconds: 1_700_000_000, nanoseconds: 5), annotations: [:],
            configDigest: "sha256:00", modulePath: "/app.wasm", imagePath: "/cache/x")
        return ContainerListing(state: state, status: status, owner: owner)
    }

    /// `cache list` prints file times, which a file's owner sets at will: one whose year is past
    /// Int32's range once 1900 is added must print, not trap.
    @Test func cacheTimesPrintWhateverTheFileSays() {
        #expect(Runtime.utc(0) == "1970-01-01 00:00 UTC")
        #expect(Runtime.utc(67_768_036_191_676_799).hasPrefix("2147485547-"))
        _ = Runtime.utc(Int.min)  // gmtime_r refuses it: any text, no trap
    }

    @Test func emptyListIsNullInJSON() {
        #expect(ContainerListFormat.json([]) == "null\n")
    }

    @Test func jsonListIsCompactStateObjectsWithOwner() throws {
        let text = ContainerListFormat.json([listing("a", pid: 42, status: .running),
                                             listing("b", pid: 43, status: .stopped, owner: "#1000")])
        #expect(text.hasSuffix("]\n") && !text.contains("\n "))
        let array = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        #expect(array.first?["id"] as? String == "a")
        #expect(array.first?["pid"] as? Int == 42)
        #expect(array.first?["status"] as? String == "running")
        #expect(array.first?["owner"] as? String == "root")
        #expect(array.first?["created"] as? String == "2023-11-14T22:13:20.000000005Z")
        #expect(array.last?["pid"] as? Int == 0)  // a stopped container has no pid, as in `state`
        #expect(array.last?["owner"] as? String == "#1000")
    }

    @Test func tableHasRuncColumnsAndPadding() {
        let text = ContainerListFormat.table([listing("a", pid: 42, status: .created)], quiet: false)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines.last == "")
        #expect(lines.first == "ID          PID         STATUS      BUNDLE      CREATED                          OWNER")
        #expect(lines.dropFirst().first
                == "a           42          created     /b/a        2023-11-14T22:13:20.000000005Z   root")
    }

    @Test func emptyTableIsTheHeaderAlone() {
        #expect(ContainerListFormat.table([], quiet: false)
                == "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n")
    }

    @Test func quietTableIsTheIdsAlone() {
        let listings = [listing("a", pid: 1, status: .running), listing("b", pid: 2, status: .stopped)]
        #expect(ContainerListFormat.table(listings, quiet: true) == "a\nb\n")
        #expect(ContainerListFormat.table([], quiet: true) == "")
    }

    @Test(arguments: [([Int32](), "[]\n", "PID\n"), ([7], "[7]\n", "PID\n7\n")])
    func psFormats(pids: [Int32], json: String, table: String) {
        #expect(ProcessListFormat.json(pids) == json)
        #expect(ProcessListFormat.table(pids) == table)
    }
}
