import Foundation

// hack/spec-test: runs the official core spec suite (wast2json form)
// through WasmCore, WasmToC, clang and the host harness. One line per
// script, then "N passed, N failed, N skipped"; exit 1 on any failure.

struct Job {
    var script: Int
    var instances: [Int]
    var files: [(name: String, contents: String)]
    var executable: Result<String, BuildError>?
    var output: ChildProcess.Result?
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("spec-test: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--emit-c" { EmitC.run(Array(arguments.dropFirst())) }
if arguments.first == "--emit-diff" { DiffDriver.run(Array(arguments.dropFirst())) }
// The SIMD scripts run by default; --no-simd leaves them out (--all, which
// used to add them, is still accepted).
let includeSIMD = !arguments.contains("--no-simd")
let verbose = arguments.contains("--verbose")
let inGuest = arguments.contains("--guest")
arguments.removeAll { $0 == "--all" || $0 == "--no-simd" || $0 == "--verbose" || $0 == "--guest" }
var repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
if let at = arguments.firstIndex(of: "--repository"), at + 1 < arguments.count {
    repository = URL(fileURLWithPath: arguments[at + 1])
    arguments.removeSubrange(at...(at + 1))
}
// --known-failures FILE: "script:line" per line (# comments): failures listed there are
// counted apart and do not fail the run; a listed command that passes does (prune the list).
var knownFailures: Set<String> = []
if let at = arguments.firstIndex(of: "--known-failures"), at + 1 < arguments.count {
    let path = arguments[at + 1]
    arguments.removeSubrange(at...(at + 1))
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    for raw in text.split(separator: "\n") {
        let entry = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
        if !entry.isEmpty { knownFailures.insert(entry) }
    }
}
// --guest-library DIR: libmewz_guest.a and link.ld (hack/spec-test builds one).
var guestDirectory: URL?
if let at = arguments.firstIndex(of: "--guest-library"), at + 1 < arguments.count {
    guestDirectory = URL(fileURLWithPath: arguments[at + 1])
    arguments.removeSubrange(at...(at + 1))
}
/// --guest without script names: the files about traps, memory bounds and
/// stack exhaustion, whose behaviour is the guest's own (#PF on the guard
/// mapping, the stack guard page, trap texts).
let guestScripts = [
    "address", "bulk", "call", "call_indirect", "conversions", "fac", "int_exprs", "memory_copy", "memory_fill",
    "memory_grow", "memory_init", "memory_trap", "skip-stack-guard-page", "table_copy", "table_fill", "table_get",
    "table_grow", "table_init", "table_set", "traps", "unreachable",
]
let only = Set(arguments.isEmpty && inGuest ? guestScripts : arguments)  // script names to run; all when empty

let environment = ProcessInfo.processInfo.environment
/// MEWZ_SPEC_DIR, else the first `shared/wasm-spec` beside the repository
/// or one of its parents (a worktree sits one level deeper).
func defaultSpecDirectory() -> URL {
    var directory = repository
    while directory.path != "/" {
        directory = directory.deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("shared/wasm-spec")
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("core").path) { return candidate }
    }
    return repository.deletingLastPathComponent().appendingPathComponent("shared/wasm-spec")
}
let specDirectory = environment["MEWZ_SPEC_DIR"].map { URL(fileURLWithPath: $0) } ?? defaultSpecDirectory()
let clang = environment["MEWZ_CC"]
    ?? ["/opt/swift/usr/bin/clang", "/usr/bin/clang", "/usr/bin/clang-19"].first { FileManager.default.isExecutableFile(atPath: $0) }
guard let clang else { fail("no clang (set MEWZ_CC)") }
let workers = max(1, Int(environment["MEWZ_SPEC_JOBS"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount)

let builder: HostBuilder
var guestRunner: GuestRunner?
do {
    builder = try HostBuilder(clang: clang, repository: repository,
                              cacheDirectory: repository.appendingPathComponent(".build/spec-cache"))
    if inGuest {
        guard let guestDirectory else { fail("--guest needs --guest-library DIR") }
        let linker = environment["MEWZ_LD"]
            ?? ["/opt/swift/usr/bin/ld.lld", "/usr/bin/ld.lld", "/usr/bin/ld.lld-19"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let linker else { fail("no ld.lld (set MEWZ_LD)") }
        guestRunner = try GuestRunner(clang: clang, linker: linker, repository: repository, guestDirectory: guestDirectory,
                                      cacheDirectory: repository.appendingPathComponent(".build/spec-cache"))
    }
} catch {
    fail("\(error)")
}

// Scripts: core/, then simd/ unless --no-simd.
var scriptURLs: [(group: String, name: String, url: URL)] = []
for group in includeSIMD ? ["core", "simd"] : ["core"] {
    let folder = specDirectory.appendingPathComponent(group)
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
        fail("no spec suite at \(folder.path) (set MEWZ_SPEC_DIR)")
    }
    for name in names.sorted() where only.isEmpty || only.contains(name) {
        let url = folder.appendingPathComponent(name).appendingPathComponent("\(name).json")
        if FileManager.default.fileExists(atPath: url.path) { scriptURLs.append((group, name, url)) }
    }
}

let started = Date()
var plans: [ScriptPlan] = []
var jobs: [Job] = []
for (script, entry) in scriptURLs.enumerated() {
    let commands: [SpecCommand]
    do { commands = try SpecScriptReader.read(entry.url) } catch { fail("\(error)") }
    var plan = ScriptPlan(name: entry.name, folder: entry.url.deletingLastPathComponent(), commands: commands)
    for group in plan.groups {
        let runnable = group.filter { plan.instances[$0].problem == nil && plan.instances[$0].lowered != nil }
        guard !runnable.isEmpty else { continue }
        let source = GroupSource(group: runnable, plan: plan, guest: inGuest)
        for (index, reason) in source.unrunnable { plan.outcomes[index] = .failed(reason) }
        for number in runnable { plan.instances[number].commands.removeAll { source.unrunnable[$0] != nil } }
        let instances = runnable.filter { source.unrunnable[plan.instances[$0].creator] == nil }
        guard !instances.isEmpty else { continue }
        jobs.append(Job(script: script, instances: instances, files: source.files))
    }
    plans.append(plan)
}
FileHandle.standardError.write(Data("spec-test: \(jobs.count) processes planned in \(Int(Date().timeIntervalSince(started))) s\n".utf8))

// Build and run: `workers` threads take the next job until none is left.
let lock = NSLock()
var nextJob = 0
var finished = 0
@Sendable func runJobs() {
    while true {
        lock.lock()
        let number = nextJob
        nextJob += 1
        let files = number < jobs.count ? jobs[number].files : []
        lock.unlock()
        guard number < jobs.count else { return }
        let executable: Result<String, BuildError>
        var output: ChildProcess.Result?
        if let guestRunner {
            (executable, output) = runInGuest(guestRunner, job: number)
        } else {
            executable = builder.executable(files: files)
            if case .success(let path) = executable { output = ChildProcess.run(path, [], timeout: 120) }
        }
        lock.lock()
        jobs[number].executable = executable
        jobs[number].output = output
        finished += 1
        if finished % 100 == 0 {
            FileHandle.standardError.write(Data("spec-test: \(finished)/\(jobs.count) processes\n".utf8))
        }
        lock.unlock()
    }
}
/// The job's process as guest boots: one for everything that must not trap,
/// one per command that must; their lines as one process's output.
@Sendable func runInGuest(_ runner: GuestRunner, job number: Int) -> (Result<String, BuildError>, ChildProcess.Result?) {
    lock.lock()
    let job = jobs[number]
    let plan = plans[job.script]
    lock.unlock()
    let elf: [UInt8]
    switch runner.elf(files: job.files) {
    case .failure(let error): return (.failure(error), nil)
    case .success(let bytes): elf = bytes
    }
    var targets: [Int] = []
    for instance in job.instances.map({ plan.instances[$0] }) {
        for index in [instance.creator] + instance.commands where GroupSource.expectsTrap(plan.commands[index]) {
            targets.append(index)
        }
    }
    let base = GuestRunner.boot(elf, target: -1)
    var lines = base.stdout.split(separator: "\n").map(String.init)
    var problems = base.failure.map { ["base boot: \($0)"] } ?? []
    for target in targets.sorted() {
        let boot = GuestRunner.boot(elf, target: target)
        if let line = boot.stdout.split(separator: "\n").first(where: { $0.hasPrefix("\(target) ") }) {
            lines.append(String(line))
        } else if let line = boot.trapLine {
            lines.append(line)
        } else {
            problems.append("boot for command \(target): \(boot.failure ?? "no result")")
        }
    }
    let output = ChildProcess.Result(status: problems.isEmpty ? 0 : 1, stdout: lines.joined(separator: "\n"),
                                     stderr: problems.joined(separator: "\n"), timedOut: false)
    return (.success("guest"), output)
}

let done = DispatchGroup()
for _ in 0..<workers {
    done.enter()
    Thread.detachNewThread {
        runJobs()
        done.leave()
    }
}
done.wait()

// Verdicts.
for job in jobs {
    let plan = plans[job.script]
    var lines: [Int: Substring] = [:]
    var trailer = ""
    switch job.executable {
    case .failure(let error)?: trailer = error.description
    case .success?, nil:
        if let output = job.output {
            for line in output.stdout.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let id = Int(parts[0]) { lines[id] = parts[1] }
            }
            let lastError = output.stderr.split(separator: "\n").last.map(String.init) ?? ""
            trailer = output.timedOut ? "timed out" : "process ended with status \(output.status) \(lastError)"
        }
    }
    func verdict(_ index: Int, _ line: Substring?) -> Outcome {
        let outcome = ResultMatcher.judge(plan.commands[index], line: line)
        if case .failed(let reason) = outcome, line == nil { return .failed("\(reason): \(trailer)") }
        return outcome
    }
    for number in job.instances {
        let instance = plan.instances[number]
        plans[job.script].outcomes[instance.creator] = verdict(instance.creator, lines[instance.creator])
        for index in instance.commands { plans[job.script].outcomes[index] = verdict(index, lines[index]) }
    }
}

var totals = (passed: 0, failed: 0, skipped: 0)
var simdTotals = (passed: 0, failed: 0, skipped: 0)
var knownSeen = 0
var knownNowPassing: [String] = []
for (script, plan) in plans.enumerated() {
    var counts = (passed: 0, failed: 0, skipped: 0)
    var failures: [String] = []
    for (index, outcome) in plan.outcomes.enumerated() {
        let key = "\(plan.name):\(plan.commands[index].line)"
        if knownFailures.contains(key) {
            if case .passed? = outcome { knownNowPassing.append(key) } else { knownSeen += 1; continue }
        }
        switch outcome {
        case .passed?: counts.passed += 1
        case .skipped?: counts.skipped += 1
        case .failed(let reason)?:
            counts.failed += 1
            failures.append("  line \(plan.commands[index].line): \(plan.commands[index].type): \(reason)")
        case nil:
            counts.failed += 1
            failures.append("  line \(plan.commands[index].line): \(plan.commands[index].type): not run")
        }
    }
    print("\(inGuest ? "guest " : "")\(plan.name): \(counts.passed) passed, \(counts.failed) failed, \(counts.skipped) skipped")
    if verbose { for failure in failures { print(failure) } }
    if scriptURLs[script].group == "simd" {
        simdTotals = (simdTotals.passed + counts.passed, simdTotals.failed + counts.failed, simdTotals.skipped + counts.skipped)
    } else {
        totals = (totals.passed + counts.passed, totals.failed + counts.failed, totals.skipped + counts.skipped)
    }
}
print("core: \(totals.passed) passed, \(totals.failed) failed, \(totals.skipped) skipped")
if includeSIMD {
    print("simd: \(simdTotals.passed) passed, \(simdTotals.failed) failed, \(simdTotals.skipped) skipped")
}
FileHandle.standardError.write(Data("spec-test: \(Int(Date().timeIntervalSince(started))) s\n".utf8))
if !knownFailures.isEmpty {
    print("known failures (listed in --known-failures, not counted): \(knownSeen)")
    for key in knownNowPassing { print("  \(key) passes now: remove it from the known failures") }
}
print("\(inGuest ? "guest: " : "")\(totals.passed + simdTotals.passed) passed, \(totals.failed + simdTotals.failed) failed, "
      + "\(totals.skipped + simdTotals.skipped) skipped")
exit(totals.failed == 0 && simdTotals.failed == 0 && knownNowPassing.isEmpty ? 0 : 1)
