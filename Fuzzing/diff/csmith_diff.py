"""hack/fuzz csmith: whole-program differential testing. Per seed: a csmith
program, compiled natively (x86 ILP32, -m32, the data model of wasm32) and
to wasm32-wasi by the same clang at -O2;
the native run's "checksum = X" line must be what `mewz-runtime run`
prints for the module in its KVM guest. Programs whose native run does not
finish in time (csmith can make long loops) or fails are skipped: only a
program with a native answer is a test.

Prints "counts <run> <crashes> <mismatches> <timeouts>" last; each finding
is kept in the work directory as <kind>-<seed>.c with both outputs.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

CSMITH_INCLUDE = "/usr/include/csmith"
NATIVE = ["-m32", "-msse2", "-mfpmath=sse"]
CONFIG = {
    "ociVersion": "1.0.2",
    "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/program.wasm"], "env": [], "cwd": "/"},
    "root": {"path": "rootfs", "readonly": True},
}


def checksum(output):
    return next((line for line in output.splitlines() if line.startswith("checksum = ")), None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int)
    parser.add_argument("--time", type=float)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", required=True)
    parser.add_argument("--runtime", required=True, help="the built mewz-runtime")
    parser.add_argument("--clang", default="clang-19")
    parser.add_argument("--program", help="check this C file only (a kept or reduced finding)")
    parser.add_argument("--native-timeout", type=float, default=5)
    parser.add_argument("--guest-timeout", type=float, default=120)
    arguments = parser.parse_args()

    os.makedirs(arguments.work, exist_ok=True)
    scratch = os.path.join(arguments.work, "scratch")
    counts = {"run": 0, "crash": 0, "mismatch": 0, "timeout": 0, "skipped": 0}
    started = time.monotonic()
    number = 0
    # Seeds are spaced apart per run so runs with different --seed do not overlap.
    first_seed = arguments.seed * 1_000_003

    def keep(kind, source, detail, ours="", native=""):
        counts[kind] += 1
        name = os.path.join(arguments.work, "%s-%d" % (kind, first_seed + number))
        shutil.copy(source, name + ".c")
        with open(name + ".txt", "w") as file:
            file.write(detail + "\n--- mewz-runtime\n" + ours + "\n--- native\n" + native + "\n")
        print("csmith: %s %s: %s" % (kind, name + ".c", detail), file=sys.stderr)

    while True:
        if arguments.program is None:
            # --count is programs run, the number the summary line reports; skipped
            # programs do not count, but a run that skips nearly everything still ends.
            if arguments.count is not None and (counts["run"] >= arguments.count or number >= 4 * arguments.count + 10):
                break
            if arguments.time is not None and time.monotonic() - started >= arguments.time:
                break
        elif number >= 1:
            break
        number += 1
        shutil.rmtree(scratch, ignore_errors=True)
        rootfs = os.path.join(scratch, "bundle", "rootfs")
        os.makedirs(rootfs)
        source = os.path.join(scratch, "program.c")
        if arguments.program:
            shutil.copy(arguments.program, source)
        else:
            # In the scratch directory: csmith leaves a platform.info in its working directory.
            made = subprocess.run(["csmith", "--seed", str(first_seed + number), "-o", source], capture_output=True,
                                  cwd=scratch)
            if made.returncode != 0:
                counts["skipped"] += 1
                continue
        common = ["-O2", "-w", "-I", CSMITH_INCLUDE, source]
        native = os.path.join(scratch, "native")
        wasm = os.path.join(rootfs, "program.wasm")
        # Natively as ILP32 (-m32), wasm32's data model: a program whose checksum
        # depends on the size of long or of a pointer must agree with itself.
        if subprocess.run([arguments.clang, *NATIVE, *common, "-o", native], capture_output=True).returncode != 0 or \
                subprocess.run([arguments.clang, "--target=wasm32-wasi", *common, "-o", wasm],
                               capture_output=True).returncode != 0:
            counts["skipped"] += 1
            continue
        try:
            expected = subprocess.run([native], capture_output=True, text=True, timeout=arguments.native_timeout)
        except subprocess.TimeoutExpired:
            counts["skipped"] += 1
            continue
        if expected.returncode != 0 or checksum(expected.stdout) is None:
            counts["skipped"] += 1
            continue
        with open(os.path.join(scratch, "bundle", "config.json"), "w") as file:
            json.dump(CONFIG, file)
        counts["run"] += 1
        if counts["run"] % 100 == 0:  # a long run shows it is alive
            print("csmith: %d programs run in %.0f s, %d mismatches so far"
                  % (counts["run"], time.monotonic() - started, counts["mismatch"]), file=sys.stderr)
        command = [arguments.runtime, "--root", os.path.join(scratch, "state"), "--cache-dir",
                   os.path.join(scratch, "cache"), "run", "--bundle", os.path.join(scratch, "bundle"),
                   "csmith-%d" % os.getpid()]
        try:
            ours = subprocess.run(command, capture_output=True, text=True, timeout=arguments.guest_timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            keep("timeout", source, "mewz-runtime run took over %d s (native: done in time)" % arguments.guest_timeout,
                 "", expected.stdout)
            continue
        if ours.returncode != 0:
            keep("crash", source, "mewz-runtime run exited %d: %s" % (ours.returncode, ours.stderr.strip()[-500:]),
                 ours.stdout, expected.stdout)
            continue
        if checksum(ours.stdout) != checksum(expected.stdout):
            keep("mismatch", source, "%s, native %s" % (checksum(ours.stdout), checksum(expected.stdout)),
                 ours.stdout, expected.stdout)
    shutil.rmtree(scratch, ignore_errors=True)
    print("csmith: %d programs generated, %d skipped (no native answer in time, or not compiled)"
          % (number, counts["skipped"]), file=sys.stderr)
    print("counts %d %d %d %d" % (counts["run"], counts["crash"], counts["mismatch"], counts["timeout"]))


if __name__ == "__main__":
    main()
