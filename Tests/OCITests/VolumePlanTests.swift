import Foundation
import Monitor
import Testing
@testable import OCI

/// config.json mounts: parsing, and which of them the guest sees (VolumePlan).
@Suite struct VolumePlanTests {
    static let source = "/b/config.json"

    func spec(_ mounts: String) throws(OCIError) -> Spec {
        try Spec.parse(Array("""
            {"ociVersion": "1.0.2", "process": {"args": ["/a.wasm"], "cwd": "/"}, "root": {"path": "rootfs"},
             "mounts": \(mounts)}
            """.utf8), source: Self.source)
    }

    func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mewz-plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path + "/file", contents: Data("x".utf8))
        return path
    }

    @Test func parsesMounts() throws {
        let parsed = try spec("""
            [{"destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind", "ro"]},
             {"destination": "/proc", "type": "proc", "source": "proc"}, {"destination": "/x", "options": ["bind"]}]
            """)
        #expect(parsed.mounts == [
            Spec.Mount(destination: "/data", type: "bind", source: "/srv", options: ["rbind", "ro"]),
            Spec.Mount(destination: "/proc", type: "proc", source: "proc"),
            Spec.Mount(destination: "/x", options: ["bind"]),
        ])
    }

    @Test func refusesARelativeDestination() {
        #expect(throws: OCIError.self) { try spec(#"[{"destination": "data", "type": "bind", "source": "/"}]"#) }
        #expect(throws: OCIError.self) { try spec(#"[{"type": "bind", "source": "/"}]"#) }
    }

    @Test func bindTmpfsAndIgnoredKinds() throws {
        let bundle = try scratch()
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let plan = try VolumePlan.make([
            Spec.Mount(destination: "/proc", type: "proc", source: "proc"),
            Spec.Mount(destination: "/data/", type: "bind", source: "data", options: ["rbind", "rw"]),
            Spec.Mount(destination: "/ro", source: bundle + "/data", options: ["rbind", "ro"]),
            Spec.Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=65536k"]),
            Spec.Mount(destination: "/run", type: "tmpfs", source: "tmpfs"),
            Spec.Mount(destination: "/etc/hosts", type: "bind", source: bundle + "/file", options: ["rbind"]),
            Spec.Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup"),
            Spec.Mount(destination: "/dev/pts", type: "devpts", source: "devpts"),
        ], bundle: bundle)
        #expect(plan.volumes == [
            Volume(destination: "/data", backing: .hostDirectory(source: bundle + "/data"), readOnly: false),
            Volume(destination: "/ro", backing: .hostDirectory(source: bundle + "/data"), readOnly: true),
            Volume(destination: "/tmp", backing: .tmpfs(size: 64 << 20), readOnly: false),
            Volume(destination: "/run", backing: .tmpfs(size: VolumePlan.defaultTmpfsSize), readOnly: false),
        ])
        #expect(plan.skipped.count == 4)
        #expect(plan.skipped.contains { $0.hasPrefix("mount /proc: type proc skipped") })
        #expect(plan.skipped.contains { $0.hasPrefix("mount /etc/hosts: file") })
    }

    @Test func laterMountOnTheSameDestinationWins() throws {
        let bundle = try scratch()
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let plan = try VolumePlan.make([
            Spec.Mount(destination: "/data", type: "bind", source: "data"),
            Spec.Mount(destination: "/data", type: "tmpfs", options: ["size=1m"]),
        ], bundle: bundle)
        #expect(plan.volumes == [Volume(destination: "/data", backing: .tmpfs(size: 1 << 20), readOnly: false)])
    }

    @Test(arguments: [
        (Spec.Mount(destination: "/d", type: "bind", source: "missing"), "mount /d: source"),
        (Spec.Mount(destination: "/d", type: "bind", source: "file"), "is not a directory"),
        (Spec.Mount(destination: "/d", type: "bind"), "needs a source"),
        (Spec.Mount(destination: "/t", type: "tmpfs", options: ["size=50%"]), "is not a size"),
        (Spec.Mount(destination: "/t", type: "tmpfs", options: ["size=99999999999g"]), "too large"),
    ])
    func badMountsAreOneLine(mount: Spec.Mount, message: String) throws {
        let bundle = try scratch()
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        do {
            _ = try VolumePlan.make([mount], bundle: bundle)
            Issue.record("\(mount) was accepted")
        } catch {
            #expect(error.message.contains(message) && !error.message.contains("\n"), "\(error.message)")
        }
    }

    @Test func moreThanTheLimitIsAnError() throws {
        let bundle = try scratch()
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        let mounts = (0...Volume.maximumCount).map { Spec.Mount(destination: "/m\($0)", type: "tmpfs") }
        #expect(throws: OCIError.self) { try VolumePlan.make(mounts, bundle: bundle) }
        #expect(try VolumePlan.make(Array(mounts.dropLast()), bundle: bundle).volumes.count == Volume.maximumCount)
    }
}
