import Foundation
import WasmCore
import WasmToC

/// `SpecRunner --emit-c MODULE.wasm DIRECTORY [UNITS]`: writes the C that
/// the image builder would compile for a module (module.h, module_N.c),
/// to read the lowering or time clang on it. Exits non-zero with one line
/// on a module the pipeline rejects.
enum EmitC {
    static func run(_ arguments: [String]) -> Never {
        guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[0]) else {
            fail("usage: SpecRunner --emit-c MODULE.wasm DIRECTORY [UNITS]")
        }
        let units = arguments.count > 2 ? max(1, Int(arguments[2]) ?? 1) : 1
        let directory = URL(fileURLWithPath: arguments[1])
        do {
            let module = try Module.decode([UInt8](data))
            try module.validate()
            let lowered = try CLowering.lower(module, options: LoweringOptions(translationUnits: units))
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for file in lowered.files {
                try file.contents.write(to: directory.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            }
            print("\(lowered.files.count) files, \(lowered.files.reduce(0) { $0 + $1.contents.utf8.count }) bytes of C")
        } catch {
            fail("\(arguments[0]): \(error)")
        }
        exit(0)
    }
}
