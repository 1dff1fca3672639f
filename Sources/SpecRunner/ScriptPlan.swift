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
/// against it, in script order. Instances linked by imports run in one
/// host process (a group); the others each in their own.
struct InstancePlan {
    var module: Module
    var lowered: LoweredModule?
    /// C symbol prefix of its exports (distinct per instance of a script).
    var exportPrefix = ""
    /// `#define`s binding its imports of registered functions to the
    /// exporting instance's symbols.
    var importDefines: [String] = []
    /// Instances it imports from.
    var links: Set<Int> = []
    var importsSpectestMemory = false
    /// Whose linear memory it uses: its own instance number when it defines
    /// one, the exporter's owner when it imports one, `spectestMemory` for
    /// spectest's; nil when it has none.
    var memoryOwner: Int?
    /// C conditions checked before instantiation: current sizes of
    /// imported tables and memories against the import's minimum.
    var linkConditions: [String] = []
    /// assert_unlinkable whose verdict depends on those sizes.
    var expectsUnlinkable = false
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

    static let hostImportPrefix = "spec_import_"
    static let spectestMemory = -1
    /// Instances linked by imports, each list in index order.
    var groups: [[Int]] = []

    init(name: String, folder: URL, commands: [SpecCommand]) {
        self.name = name
        self.commands = commands
        outcomes = Array(repeating: nil, count: commands.count)
        var current: Int?
        var named: [String: Int] = [:]
        var registered: [String: Int] = [:]

        for (index, command) in commands.enumerated() {
            switch command.type {
            case "module":
                let instance = Self.instantiate(command, at: index, number: instances.count, folder: folder,
                                                instances: instances, registered: registered)
                instances.append(instance)
                current = instances.count - 1
                if let name = command.name { named[name] = current }
                if let problem = instance.problem { outcomes[index] = .failed(problem) }
            case "register":
                let target = command.name.map { named[$0] } ?? current
                if let target, let name = command.registerAs {
                    registered[name] = target
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
                instances[target].commands.append(index)
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
                        let deferred = try ImportLinker.link(module, registered: registered.mapValues { instances[$0].module })
                        guard !deferred.isEmpty else {
                            outcomes[index] = .failed("assert_unlinkable: module links (expected \"\(command.text ?? "")\")")
                            continue
                        }
                        // Only current sizes can tell: the process decides.
                        var instance = Self.instantiate(command, at: index, number: instances.count, folder: folder,
                                                        instances: instances, registered: registered)
                        instance.expectsUnlinkable = true
                        instances.append(instance)
                    } catch {
                        outcomes[index] = .passed
                    }
                case .failure(let error): outcomes[index] = .failed("assert_unlinkable: \(error.text)")
                }
            case "assert_uninstantiable":
                var instance = Self.instantiate(command, at: index, number: instances.count, folder: folder,
                                                instances: instances, registered: registered)
                instance.expectsInitTrap = command.text ?? ""
                instances.append(instance)
            default:
                outcomes[index] = .failed("unknown command \(command.type)")
            }
        }
        groups = Self.groups(instances)
        for group in groups {
            let owners = Set(group.compactMap { instances[$0].memoryOwner })
            guard owners.count > GroupSource.memoryWindows else { continue }
            for number in group where instances[number].problem == nil {
                instances[number].problem = "more than \(GroupSource.memoryWindows) linear memories in one process"
            }
        }
        for number in instances.indices {
            guard let problem = instances[number].problem else { continue }
            outcomes[instances[number].creator] = .failed(problem)
            for index in instances[number].commands { outcomes[index] = .failed(problem) }
            instances[number].commands = []
        }
    }

    /// Connected components of the import links.
    private static func groups(_ instances: [InstancePlan]) -> [[Int]] {
        var parent = Array(instances.indices)
        func root(_ node: Int) -> Int {
            var node = node
            while parent[node] != node { node = parent[node] }
            return node
        }
        for (number, instance) in instances.enumerated() {
            for link in instance.links { parent[root(number)] = root(link) }
        }
        var members: [Int: [Int]] = [:]
        for number in instances.indices { members[root(number), default: []].append(number) }
        return members.values.sorted { $0[0] < $1[0] }
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
    private static func instantiate(_ command: SpecCommand, at index: Int, number: Int, folder: URL,
                                    instances: [InstancePlan], registered: [String: Int]) -> InstancePlan {
        let module: Module
        switch load(command, folder: folder) {
        case .success(let loaded): module = loaded
        case .failure(let error): return InstancePlan(module: Module(), problem: "module rejected: \(error.text)", creator: index)
        }
        var plan = InstancePlan(module: module, creator: index)
        if !module.memories.isEmpty { plan.memoryOwner = number }
        plan.exportPrefix = "spec_x\(number)_"
        let deferred: [Import]
        do {
            deferred = try ImportLinker.link(module, registered: registered.mapValues { instances[$0].module })
        } catch {
            plan.problem = "link failed: \(error.text)"
            return plan
        }
        for entry in deferred {
            let symbol = CLowering.hostImportSymbol(prefix: hostImportPrefix, module: entry.module, name: entry.name)
            switch entry.descriptor {
            case .table(let type): plan.linkConditions.append("\(symbol).size >= \(type.limits.min)u")
            case .memory(let type): plan.linkConditions.append("mewz_memory_pages >= \(type.limits.min)u")
            default: break
            }
        }
        for entry in module.imports {
            if entry.module == "spectest" {
                if case .memory = entry.descriptor {
                    plan.importsSpectestMemory = true
                    plan.memoryOwner = spectestMemory
                }
                continue
            }
            guard let exporter = registered[entry.module] else { continue }
            if let problem = instances[exporter].problem {
                plan.problem = "imports from a module that failed: \(problem)"
                return plan
            }
            plan.links.insert(exporter)
            switch entry.descriptor {
            case .function:
                let symbol = CLowering.hostImportSymbol(prefix: hostImportPrefix, module: entry.module, name: entry.name)
                let target = CLowering.exportSymbol(prefix: instances[exporter].exportPrefix, name: entry.name)
                plan.importDefines.append("#define \(symbol) \(target)")
            case .memory:
                plan.memoryOwner = instances[exporter].memoryOwner
            case .global, .table:
                // Bound to the exporter's state through its reference getter.
                let symbol = CLowering.hostImportSymbol(prefix: hostImportPrefix, module: entry.module, name: entry.name)
                let target = CLowering.exportSymbol(prefix: instances[exporter].exportPrefix + "_0", name: entry.name)
                plan.importDefines.append("#define \(symbol) (*\(target)())")
            }
        }
        do {
            let options = LoweringOptions(translationUnits: 1, exportPrefix: plan.exportPrefix,
                                          hostImportPrefix: hostImportPrefix)
            plan.lowered = try CLowering.lower(module, options: options)
        } catch {
            plan.problem = "lowering failed: \(error)"
        }
        return plan
    }
}
