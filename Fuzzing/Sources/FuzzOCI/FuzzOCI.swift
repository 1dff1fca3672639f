import Foundation
import OCI

/// The JSON documents mewz-runtime reads: a bundle's config.json, its own
/// state file and `update --resources`; and a command line (the bytes split
/// at NUL into arguments). Every parser takes the same bytes; each either
/// returns a model or throws its OCIError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let spec = try? Spec.parse(bytes, source: "config.json") { _ = spec }
    if let resources = try? Spec.parseResourcesDocument(bytes, source: "resources.json") { _ = resources }
    let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    if let invocation = try? CommandLineParser.parse(arguments) { _ = invocation }
    if let state = try? ContainerState.decode(bytes, source: "mewz-state.json") {
        // What was read must write back and read again to the same state.
        let again = try? ContainerState.decode(state.encoded(), source: "again")
        precondition(again == state, "state does not survive encode/decode")
    }
    return 0
}

/// MEWZ_FUZZ_SEEDS=DIR: write sample state files there and exit
/// (hack/fuzz adds the example bundles' config.json files itself).
@_cdecl("LLVMFuzzerInitialize")
public func initializeOCI(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["MEWZ_FUZZ_SEEDS"] else { return 0 }
    writeSeeds(to: directory)  // its locals are released before the exit, which LeakSanitizer checks
    exit(0)
}

private func writeSeeds(to directory: String) {
    let plain = ContainerState(id: "c1", pid: 42, pidStartTime: 123_456, bundle: "/b", rootfs: "/b/rootfs",
                               created: Timestamp(seconds: 1_700_000_000, nanoseconds: 5), annotations: [:],
                               configDigest: "sha256:00", modulePath: "/app.wasm", imagePath: "/cache/x.img")
    var annotated = plain
    annotated.annotations = ["io.github.mewz-runtime.preopen": "none", "k\u{e9}y": "v\"\\"]
    annotated.hooks.poststop = [Spec.Hook(path: "/bin/true", args: ["true", "x"], env: ["A=B"], timeout: 3)]
    for (name, state) in [("state-plain.json", plain), ("state-annotated.json", annotated)] {
        FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(state.encoded()))
    }
    let resources = #"{"memory": {"limit": 134217728, "swap": -1}, "cpu": {"quota": 50000, "period": 100000, "shares": 512, "cpus": "0-1"}, "pids": {"limit": 0}}"#
    FileManager.default.createFile(atPath: "\(directory)/resources.json", contents: Data(resources.utf8))
    for (name, line) in [("argv-update", "--root\0/r\0update\0--cpu-quota\020000\0--memory\0512m\0c1"),
                         ("argv-create", "--debug\0create\0--bundle\0/b\0--pid-file\0/p\0c1")] {
        FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(line.utf8))
    }
}
