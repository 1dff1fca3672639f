// mewz-runtime: parse, dispatch, report. Everything else lives in the OCI module.
import Glibc
import OCI

// A descriptor 0, 1 or 2 the caller left closed would go to the first file the runtime opens
// (an error line into state.json, the image as the guest's stdin): /dev/null takes it, as in
// daemons and glibc's set-uid start-up. The container sees an empty stdin and discarding outputs.
for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 {
    let null = open("/dev/null", O_RDWR)
    if null >= 0 && null != fd {
        dup2(null, fd)
        close(null)
    }
}

StartupTrace.begin()
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
    StartupTrace.mark("runtime-parse")
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
        case .build(let options): try BuildCommand.run(options, runtime)
        case .cache(let options): exit(try CacheCommand.run(options, runtime))
        case .pause(let id): try PauseCommand.run(id: id, runtime)
        case .resume(let id): try ResumeCommand.run(id: id, runtime)
        case .events(let options): try EventsCommand.run(options, runtime)
        case .update(let options): try UpdateCommand.run(options, runtime)
        case .unsupported(let name, let reason, let id): try runtime.unsupported(name, reason: reason, id: id)
        }
        exit(0)
    } catch {
        Output.fail(error, log: log)
    }
}
