import WasmCore
import WasmToC

/// Bytes -> decode -> validate -> lower. Each stage may refuse the input
/// with its typed error; anything else (a trap, a sanitizer report, a hang)
/// is a finding. Modules that validate are lowered too: the lowering
/// promises to handle every valid module. The imports-only decoder (which
/// the runtime runs on every create) must also survive every input, and
/// read the same imports as the full decoder from every module that decodes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWasm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let imports = try? Module.decodeImports(bytes)
    let module: Module
    do {
        module = try Module.decode(bytes)
    } catch {
        return 0
    }
    // A mismatch is a finding: stop with a report libFuzzer saves as a crash.
    guard imports == module.imports else { fatalError("decodeImports disagrees with decode") }
    do {
        try module.validate()
    } catch {
        return 0
    }
    _ = try? CLowering.lower(module, options: LoweringOptions())
    return 0
}
