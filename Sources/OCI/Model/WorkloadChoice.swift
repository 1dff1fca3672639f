/// Whether a bundle is a Wasm container for mewz-runtime, from its annotations, the way crun
/// decides (containers/crun custom-handler.c). Pure; the module's magic is checked by the
/// caller when the annotations leave it open.
public enum WorkloadChoice: Equatable, Sendable {
    /// A Kubernetes pod sandbox ("pause"): always runc's.
    case sandbox
    /// The annotations say Wasm: process.args[0] must be a module.
    case wasm
    /// The annotations say it is not Wasm (the reason names the annotation).
    case notWasm(reason: String)
    /// No annotation decides: Wasm exactly when process.args[0] is a module (by its magic).
    case byMagic

    /// containerd's CRI and CRI-O mark pod sandboxes with these (oci-contract.md §5).
    static let sandboxKeys = ["io.kubernetes.cri.container-type", "io.kubernetes.cri-o.ContainerType"]
    static let handlerKey = "run.oci.handler"
    static let variantKey = "module.wasm.image/variant"

    public static func decide(annotations: [String: String], firstArgument: String) -> WorkloadChoice {
        if sandboxKeys.contains(where: { annotations[$0] == "sandbox" }) { return .sandbox }
        let smart = firstArgument.hasSuffix(".wasm") || firstArgument.hasSuffix(".wat")
        if let handler = annotations[handlerKey] {
            switch handler {
            case "wasm": return .wasm
            case "wasm-smart" where smart: return .wasm
            case "wasm-smart": return .notWasm(reason: "\(handlerKey)=wasm-smart and \(firstArgument) does not end in .wasm")
            default: return .notWasm(reason: "\(handlerKey)=\(handler)")
            }
        }
        if let variant = annotations[variantKey] {
            switch variant {
            case "compat": return .wasm
            case "compat-smart" where smart: return .wasm
            case "compat-smart": return .notWasm(reason: "\(variantKey)=compat-smart and \(firstArgument) does not end in .wasm")
            default: break  // an unknown variant decides nothing (crun ignores it)
            }
        }
        return .byMagic
    }
}
