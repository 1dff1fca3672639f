import WasmCore
import WasmToC

/// Bytes -> decode -> validate -> lower. Each stage may refuse the input
/// with its typed error; anything else (a trap, a sanitizer report, a hang)
/// is a finding. Modules that validate are lowered too: the lowering
/// promises to handle every valid module.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWasm(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let module: Module
    do {
        module = try Module.decode(bytes)
        try module.validate()
    } catch {
        return 0
    }
    _ = try? CLowering.lower(module, options: LoweringOptions())
    return 0
}
