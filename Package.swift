// swift-tools-version:6.0
// mewz-runtime: an OCI runtime that runs WASI modules as KVM unikernels.
// Dependencies point one way (architecture.md §2):
// MewzRuntime -> OCI -> {ImageBuilder, Monitor} -> {WasmToC, ImageFormat} -> WasmCore.
import PackageDescription

let package = Package(
    name: "mewz-runtime",
    products: [
        .executable(name: "mewz-runtime", targets: ["MewzRuntime"]),
        // For the fuzz package in Fuzzing/ (its own build, hack/fuzz): the parsers it feeds
        // and the monitor its hostile guest runs under.
        .library(name: "MewzFuzzable", targets: ["WasmCore", "WasmToC", "ImageFormat", "OCI", "Monitor"]),
    ],
    targets: [
        // Pure core.
        .target(name: "WasmCore"),
        .target(name: "WasmToC", dependencies: ["WasmCore"]),
        .target(name: "ImageFormat", dependencies: ["CSHA256"]),
        // SHA-256 blocks through the x86 SHA extensions; ImageFormat's Swift rounds otherwise.
        .target(name: "CSHA256"),

        // Thin C module maps.
        .target(name: "CKVM"),
        .target(name: "CShim"),
        .target(name: "CSeccomp"),
        .systemLibrary(name: "CJSONC", pkgConfig: "json-c",
                       providers: [.apt(["libjson-c-dev"])]),
        .systemLibrary(name: "CMewzABI"),

        // Effects.
        .target(name: "ImageBuilder", dependencies: ["WasmCore", "WasmToC", "ImageFormat", "CShim"]),
        .target(name: "Monitor", dependencies: ["CKVM", "CMewzABI", "CSeccomp", "ImageFormat"]),
        .target(name: "OCI", dependencies: ["ImageBuilder", "Monitor", "ImageFormat", "WasmCore", "WasmToC", "CJSONC", "CShim"]),
        .executableTarget(name: "MewzRuntime", dependencies: ["OCI"]),
        // hack/spec-test: the official spec suite through the real lowering and clang.
        // --guest: the trap files in the KVM guest, built as images are and booted by the monitor.
        .executableTarget(name: "SpecRunner", dependencies: ["WasmCore", "WasmToC", "ImageBuilder", "Monitor"]),

        // A seeded generator shared by the tests that draw random cases.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "WasmCoreTests", dependencies: ["WasmCore", "TestSupport"]),
        .testTarget(name: "WasmToCTests", dependencies: ["WasmToC"],
                    exclude: ["Harness"]),  // C sources compiled by the tests themselves
        // CMewzABI only to check ImageFormat's copies of abi.h's and rofs.h's numbers.
        .testTarget(name: "ImageFormatTests", dependencies: ["ImageFormat", "CMewzABI", "TestSupport"]),
        .testTarget(name: "ImageBuilderTests", dependencies: ["ImageBuilder"]),
        // Guests/ holds C test guests compiled by the tests themselves, not by SwiftPM.
        .testTarget(name: "MonitorTests", dependencies: ["Monitor", "ImageFormat", "CSeccomp", "CSeccompReference"],
                    exclude: ["Guests"]),
        // libseccomp's program for the monitor's allowlist and a BPF interpreter, for the
        // tests that check CSeccomp's compiled program against it.
        .target(name: "CSeccompReference", dependencies: ["CSeccomp"], path: "Tests/CSeccompReference",
                linkerSettings: [.linkedLibrary("seccomp")]),
        // Runs a VM and then a forbidden system call, for MonitorTests' seccomp test.
        .executableTarget(name: "SeccompProbe", dependencies: ["Monitor"], path: "Tests/SeccompProbe"),
        .testTarget(name: "OCITests", dependencies: ["OCI", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["CShim"]),
    ],
    swiftLanguageModes: [.v5]
)
