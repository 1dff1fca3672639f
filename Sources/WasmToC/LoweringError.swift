import WasmCore

/// Why a module cannot be lowered to C. One line; built only through the
/// named constructors below.
public struct LoweringError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    private init(_ description: String) { self.description = description }

    /// Function imports the runtime does not provide (unknown name, other
    /// module, or a signature different from wasi.h), all of them at once.
    public static func missingImports(_ imports: [String]) -> LoweringError {
        let provided = WASIImports.supported.keys.sorted().joined(separator: ", ")
        return LoweringError(
            "unsupported imports: \(imports.joined(separator: ", ")) (mewz-runtime provides: \(provided))")
    }

    /// A module-level feature outside what the runtime supports.
    public static func unsupportedFeature(_ feature: String) -> LoweringError {
        LoweringError("unsupported feature: \(feature)")
    }

    /// The module breaks an invariant validation guarantees (the lowering
    /// never trusts it blindly).
    public static func invalidModule(_ reason: String, function: Int, offset: Int) -> LoweringError {
        LoweringError("invalid module: \(reason) in function \(function) at offset \(hex(offset))")
    }

    /// Same, for module-level structure (indices out of range).
    public static func invalidModule(_ reason: String) -> LoweringError {
        LoweringError("invalid module: \(reason)")
    }

    private static func hex(_ offset: Int) -> String {
        offset >= 0 ? "0x" + String(offset, radix: 16) : String(offset)
    }
}
