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

from campaign import Campaign

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

    campaign = Campaign("csmith", arguments, single=arguments.program is not None, progress_every=100,
                        sides=("mewz-runtime", "native"))
    scratch = os.path.join(arguments.work, "scratch")
    # Seeds are spaced apart per run so runs with different --seed do not overlap.
    first_seed = arguments.seed * 1_000_003

    while campaign.more():
        seed = first_seed + campaign.generated
        shutil.rmtree(scratch, ignore_errors=True)
        rootfs = os.path.join(scratch, "bundle", "rootfs")
        os.makedirs(rootfs)
        source = os.path.join(scratch, "program.c")
        if arguments.program:
            shutil.copy(arguments.program, source)
        else:
            # In the scratch directory: csmith leaves a platform.info in its working directory.
            made = subprocess.run(["csmith", "--seed", str(seed), "-o", source], capture_output=True,
                                  cwd=scratch)
            if made.returncode != 0:
                campaign.skip()
                continue
        common = ["-O2", "-w", "-I", CSMITH_INCLUDE, source]
        native = os.path.join(scratch, "native")
        wasm = os.path.join(rootfs, "program.wasm")
        # Natively as ILP32 (-m32), wasm32's data model: a program whose checksum
        # depends on the size of long or of a pointer must agree with itself.
        if subprocess.run([arguments.clang, *NATIVE, *common, "-o", native], capture_output=True).returncode != 0 or \
                subprocess.run([arguments.clang, "--target=wasm32-wasi", *common, "-o", wasm],
                               capture_output=True).returncode != 0:
            campaign.skip()
            continue
        try:
            expected = subprocess.run([native], capture_output=True, text=True, timeout=arguments.native_timeout)
        except subprocess.TimeoutExpired:
            campaign.skip()
            continue
        if expected.returncode != 0 or checksum(expected.stdout) is None:
            campaign.skip()
            continue
        with open(os.path.join(scratch, "bundle", "config.json"), "w") as file:
            json.dump(CONFIG, file)
        campaign.ran("programs")
        command = [arguments.runtime, "--root", os.path.join(scratch, "state"), "--cache-dir",
                   os.path.join(scratch, "cache"), "run", "--bundle", os.path.join(scratch, "bundle"),
                   "csmith-%d" % os.getpid()]
        try:
            ours = subprocess.run(command, capture_output=True, text=True, timeout=arguments.guest_timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            campaign.keep("timeout", source, seed, "mewz-runtime run took over %d s (native: done in time)"
                          % arguments.guest_timeout, "", expected.stdout)
            continue
        if ours.returncode != 0:
            campaign.keep("crash", source, seed, "mewz-runtime run exited %d: %s"
                          % (ours.returncode, ours.stderr.strip()[-500:]), ours.stdout, expected.stdout)
            continue
        if checksum(ours.stdout) != checksum(expected.stdout):
            campaign.keep("mismatch", source, seed, "%s, native %s" % (checksum(ours.stdout), checksum(expected.stdout)),
                          ours.stdout, expected.stdout)
    shutil.rmtree(scratch, ignore_errors=True)
    campaign.finish("%d programs generated, %d skipped (no native answer in time, or not compiled)"
                    % (campaign.generated, campaign.counts["skipped"]))


if __name__ == "__main__":
    main()
