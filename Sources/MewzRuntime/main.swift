// mewz-runtime: parse, dispatch, report. Everything else lives in the OCI module.
import Glibc
import OCI

let arguments = Array(CommandLine.arguments.dropFirst())

let invocation: Invocation
do {
    invocation = try CommandLineParser.parse(arguments)
} catch {
    Output.fail(error, log: RuntimeLog(CommandLineParser.bestEffortGlobalOptions(arguments)))
}

switch invocation {
case .help(let text):
    Output.write(text, to: 1)
    exit(0)
case .version:
    Output.write(RuntimeVersion.text, to: 1)
    exit(0)
case .command(let globals, let command):
    let log = RuntimeLog(globals)
    do {
        let runtime = try Runtime(options: globals, arguments: arguments)
        switch command {
        case .create(let options): try CreateCommand.run(options, runtime)
        case .run(let options): try RunCommand.run(options, runtime)
        case .start(let id): try StartCommand.run(id: id, runtime)
        case .state(let id): try StateCommand.run(id: id, runtime)
        case .kill(let options): try KillCommand.run(options, runtime)
        case .delete(let options): try DeleteCommand.run(options, runtime)
        case .list(let options): try ListCommand.run(options, runtime)
        case .ps(let options): try PsCommand.run(options, runtime)
        case .features: Output.write(RuntimeFeatures.json, to: 1)
        case .spec(let bundle): try SampleSpec.write(bundle: bundle)
        case .pause(let id): try PauseCommand.run(id: id, runtime)
        case .resume(let id): try ResumeCommand.run(id: id, runtime)
        case .events(let options): try EventsCommand.run(options, runtime)
        case .unsupported(let name, let reason, let id): try runtime.unsupported(name, reason: reason, id: id)
        }
        exit(0)
    } catch {
        Output.fail(error, log: log)
    }
}
