/// `--help` output, generated from CommandTable in the layout of runc's (urfave/cli) help.
enum HelpText {
    static var main: String {
        var text = """
            NAME:
               \(CommandTable.program) - \(CommandTable.summary)

            USAGE:
               \(CommandTable.program) [global options] command [command options] [arguments...]

            DESCRIPTION:
               An OCI runtime, called by podman (conmon), containerd (runc shim) or CRI-O the way they
               call runc. process.args[0] names a WebAssembly module inside the bundle's root; it is
               compiled ahead of time and booted in a KVM virtual machine, whose monitor process is
               the container's process: it enters the container's network (and a pod's IPC and UTS)
               namespaces and its cgroup, and runs the hooks at runc's points. A bundle without Wasm,
               and a Kubernetes pod sandbox, is handed unchanged to the fallback runtime (runc).
               Not supported: exec, checkpoint, restore.

            COMMANDS:

            """
        let width = CommandTable.commands.map(\.name.count).max() ?? 0
        for command in CommandTable.commands {
            text += "   " + padded(command.name, width) + "   " + command.summary + "\n"
        }
        text += "\nGLOBAL OPTIONS:\n" + optionLines(CommandTable.globalOptions)
        return text
    }

    static func forCommand(_ command: CommandSpec) -> String {
        let description = command.description.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "   " + $0 }.joined(separator: "\n")
        return """
            NAME:
               \(CommandTable.program) \(command.name) - \(command.summary)

            USAGE:
               \(CommandTable.program) \(command.name) [command options] \(command.arguments)

            DESCRIPTION:
            \(description)

            OPTIONS:

            """ + optionLines(command.options)
    }

    private static func optionLines(_ options: [OptionSpec]) -> String {
        let labels = options.map { option in
            option.names.map { name in
                (name.count == 1 ? "-" : "--") + name + (option.valueName.map { " " + $0 } ?? "")
            }.joined(separator: ", ")
        }
        let width = labels.map(\.count).max() ?? 0
        var text = ""
        for (label, option) in zip(labels, options) {
            text += "   " + padded(label, width) + "  " + option.help + "\n"
        }
        return text
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
