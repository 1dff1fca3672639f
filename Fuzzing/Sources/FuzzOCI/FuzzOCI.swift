import Foundation
import OCI

/// The two JSON files mewz-runtime reads: a bundle's config.json and its
/// own state file. Both parsers take the same bytes; each either returns a
/// model or throws its OCIError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOCI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let spec = try? Spec.parse(bytes, source: "config.json") { _ = spec }
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
    let plain = ContainerState(id: "c1", pid: 42, pidStartTime: 123_456, bundle: "/b", rootfs: "/b/rootfs",
                               created: Timestamp(seconds: 1_700_000_000, nanoseconds: 5), annotations: [:],
                               configDigest: "sha256:00", modulePath: "/app.wasm", imagePath: "/cache/x.img")
    var annotated = plain
    annotated.annotations = ["io.github.mewz-runtime.preopen": "none", "k\u{e9}y": "v\"\\"]
    annotated.hooks.poststop = [Spec.Hook(path: "/bin/true", args: ["true", "x"], env: ["A=B"], timeout: 3)]
    for (name, state) in [("state-plain.json", plain), ("state-annotated.json", annotated)] {
        FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(state.encoded()))
    }
    exit(0)
}
