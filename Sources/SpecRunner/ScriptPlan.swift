import Foundation
import WasmCore
import WasmToC

/// The verdict on one command.
enum Outcome {
    case passed
    case failed(String)
    case skipped
}

/// One module instance: its module, lowered C, and the commands that run
/// against it, in script order, in one host process (instances never
/// share state here: imports from registered modules are refused).
struct InstancePlan {
    var module: Module
    var lowered: LoweredModule?
    /// Why it cannot run (its commands fail with this), when it cannot.
    var problem: String?
    /// Index of the command that creates it (module / assert_uninstantiable).
    var creator: Int
    var expectsInitTrap: String?
    var commands: [Int] = []
}

/// A script walked once: the verdicts known without running anything
/// (decoding, validation, linking) and the instances to build and run.
struct ScriptPlan {
    let name: String
    let commands: [SpecCommand]
    var outcomes: [Outcome?]
    var instances: [InstancePlan] = []

    static let exportPrefix = "spec_x_"
    static let hostImportPrefix = "spec_import_"

    init(name: String, folder: URL, commands: [SpecCommand]) {
        self.name = name
        self.commands = commands
        outcomes = Array(repeating: nil, count: commands.count)
        var current: Int?
        var named: [String: Int] = [:]
        var registered: [String: Module] = [:]

        for (index, command) in commands.enumerated() {
            switch command.type {
            case "module":
                let instance = Self.instantiate(command, at: index, folder: folder, registered: registered)
                instances.append(instance)
                current = instances.count - 1
                if let name = command.name { named[name] = current }
                if let problem = instance.problem { outcomes[index] = .failed(problem) }
            case "register":
                let target = command.name.map { named[$0] } ?? current
                if let target, let as_ = command.registerAs {
                    registered[as_] = instances[target].module
                    outcomes[index] = .passed
                } else {
                    outcomes[index] = .failed("register: no such module")
                }
            case "action", "assert_return", "assert_trap", "assert_exhaustion":
                let target = command.action?.module.map { named[$0] } ?? current
                guard let target else {
                    outcomes[index] = .failed("no module to act on")
                    continue
                }
                if let problem = instances[target].problem {
                    outcomes[index] = .failed(problem)
                } else {
                    instances[target].commands.append(index)
                }
            case "assert_invalid", "assert_malformed":
                if command.moduleType == "text" {
                    outcomes[index] = .skipped
                    continue
                }
                switch Self.load(command, folder: folder) {
                case .success: outcomes[index] = .failed("\(command.type): module accepted (expected \"\(command.text ?? "")\")")
                case .failure: outcomes[index] = .passed
                }
            case "assert_unlinkable":
                switch Self.load(command, folder: folder) {
                case .success(let module):
                    do {
                        _ = try ImportLinker.link(module, registered: registered)
                        outcomes[index] = .failed("assert_unlinkable: module links (expected \"\(command.text ?? "")\")")
                    } catch {
                        outcomes[index] = .passed
                    }
                case .failure(let error): outcomes[index] = .failed("assert_unlinkable: \(error.text)")
                }
            case "assert_uninstantiable":
                var instance = Self.instantiate(command, at: index, folder: folder, registered: registered)
                instance.expectsInitTrap = command.text ?? ""
                if let problem = instance.problem { outcomes[index] = .failed(problem) }
                instances.append(instance)
            default:
                outcomes[index] = .failed("unknown command \(command.type)")
            }
        }
    }

    struct LoadError: Error { let text: String }

    /// Decodes and validates the command's module file.
    private static func load(_ command: SpecCommand, folder: URL) -> Result<Module, LoadError> {
        guard let file = command.filename,
              let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path)
        else { return .failure(LoadError(text: "module file \(command.filename ?? "?") missing")) }
        do {
            let module = try Module.decode([UInt8](data))
            try module.validate()
            return .success(module)
        } catch {
            return .failure(LoadError(text: "\(error)"))
        }
    }

    /// Loads, links and lowers a module; a failure becomes the instance's problem.
    private static func instantiate(_ command: SpecCommand, at index: Int, folder: URL,
                                    registered: [String: Module]) -> InstancePlan {
        let module: Module
        switch load(command, folder: folder) {
        case .success(let loaded): module = loaded
        case .failure(let error): return InstancePlan(module: Module(), problem: "module rejected: \(error.text)", creator: index)
        }
        var plan = InstancePlan(module: module, creator: index)
        do {
            if try ImportLinker.link(module, registered: registered) {
                plan.problem = "imports from a registered module: not supported by the one-process-per-instance harness"
                return plan
            }
        } catch {
            plan.problem = "link failed: \(error.text)"
            return plan
        }
        do {
            let options = LoweringOptions(translationUnits: 1, exportPrefix: exportPrefix,
                                          hostImportPrefix: hostImportPrefix)
            plan.lowered = try CLowering.lower(module, options: options)
        } catch {
            plan.problem = "lowering failed: \(error)"
        }
        return plan
    }
}
