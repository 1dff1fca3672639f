// swift-tools-version:6.0
// libFuzzer targets for mewz-runtime's parsers, built apart from the main
// package (its own .build, with -sanitize=fuzzer,address) by hack/fuzz.
// Each target exports LLVMFuzzerTestOneInput; libFuzzer supplies main.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, which is the
// checkout's (a worktree, a CI clone): read it rather than assume it.
let repository = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
let runtime = repository.lastPathComponent.lowercased()

let package = Package(
    name: "mewz-fuzzing",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "FuzzWasm", dependencies: [.product(name: "MewzFuzzable", package: runtime)]),
        .executableTarget(name: "FuzzImage", dependencies: [.product(name: "MewzFuzzable", package: runtime)]),
        .executableTarget(name: "FuzzOCI", dependencies: [.product(name: "MewzFuzzable", package: runtime)]),
        // Not a libFuzzer target (it has its own main): boots Guests/hypercall_fuzz.c
        // under the monitor, built with AddressSanitizer like the rest.
        .executableTarget(name: "FuzzHypercalls", dependencies: [.product(name: "MewzFuzzable", package: runtime)]),
    ],
    swiftLanguageModes: [.v5]
)
