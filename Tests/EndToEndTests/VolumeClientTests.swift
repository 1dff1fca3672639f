import Foundation
import Glibc
import Testing

/// Volumes from real clients: `podman run -v HOSTDIR:/data` and `ctr run --mount type=bind`
/// of the volume example (oci/examples/volume/Containerfile), which appends a line to
/// /data/log.txt and prints the file; the file is on the host afterwards.
@Suite(.needsKVM, .serialized)
struct VolumeClientTests {
    @Test func podmanRunWithAVolume() throws {
        let podman = try PodmanEnvironment()
        try podman.build("volume")
        let data = podman.scratch.appendingPathComponent("data").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for word in ["one", "two"] {
            let ran = try podman.podman(["run", "--rm", "--runtime", "mewz", "-v", "\(data):/data", "mewz-volume",
                                         "append:/data/log.txt:\(word)", "cat:/data/log.txt"])
            #expect(ran.status == 0, "\(ran.stderr)")
            #expect(ran.stdout.hasPrefix("append /data/log.txt: ok\n"), "\(ran.stdout)")
        }
        #expect(ClientTools.text(data + "/log.txt") == "one\ntwo\n")
        let readOnly = try podman.podman(["run", "--rm", "--runtime", "mewz", "-v", "\(data):/data:ro", "mewz-volume",
                                          "append:/data/log.txt:three"])
        #expect(readOnly.stdout == "append /data/log.txt: Read-only file system\n", "\(readOnly.stderr)")
        #expect(ClientTools.text(data + "/log.txt") == "one\ntwo\n")
        #expect(try podman.podman(["ps", "--all", "--quiet"]).stdout.isEmpty)
    }

    @Test func ctrRunWithABindMount() throws {
        let podman = try PodmanEnvironment()
        try podman.build("volume")
        let archive = podman.directory + "/volume.tar"
        #expect(try podman.podman(["save", "--quiet", "--format", "oci-archive", "--output", archive, "mewz-volume"]).succeeded)
        let directory = podman.directory + "/containerd"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let daemon = try ContainerdTests.Daemon(directory: directory)
        let scratch = podman.scratch
        let imported = try daemon.ctr(["images", "import", "--base-name", "localhost/mewz-volume", archive], scratch: scratch)
        #expect(imported.succeeded, "\(imported.stderr)")
        let data = scratch.appendingPathComponent("ctr-data").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let ran = try daemon.ctr(["run", "--rm", "--runc-binary", Runtime.binary,
                                  "--mount", "type=bind,src=\(data),dst=/data,options=rbind:rw",
                                  "localhost/mewz-volume:latest", "volume", "/volume.wasm",
                                  "append:/data/log.txt:from ctr", "cat:/data/log.txt"], scratch: scratch)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout == "append /data/log.txt: ok\ncat /data/log.txt: from ctr\n", "\(ran.stderr)")
        #expect(ClientTools.text(data + "/log.txt") == "from ctr\n")
    }
}
