"""hack/fuzz binaryen: differential testing of WasmToC on random valid
modules. Per module: random bytes from the seed -> `wasm-opt -ttf` (a
valid module that logs values through fuzzing-support imports; --denan so
no NaN payload, which Wasm leaves open, can differ) -> SpecRunner
--emit-diff (decode, validate, lower, driver) -> clang with the spec
harness (Tests/WasmToCTests/Harness) -> run; and the same module under
wasmtime (wasmtime_reference.py). Results, traps, logged values and the
final memory must agree.

A trap ends an instance, as it ends a mewz-runtime guest (what it leaves
behind is never observed there); the exports after it run in a new one.
A call that exhausts the stack on either side ends the comparison there:
where each engine's stack runs out is not specified, and what the
recursion logged and stored before it differs legitimately.

Prints "counts <run> <crashes> <mismatches> <timeouts>" last; each
finding is kept in the work directory as <kind>-<seed>-<n>.wasm with the
two outputs beside it.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys

import wasmtime_reference
from campaign import Campaign

FEATURES = ["--enable-sign-ext", "--enable-nontrapping-float-to-int", "--enable-bulk-memory",
            "--enable-multivalue", "--enable-simd"]
CFLAGS = ["-std=gnu11", "-O2", "-march=x86-64-v2", "-w", "-fno-strict-aliasing"]


def is_nan_bits(value, width):
    """The integer's low `width` bits (32 or 64) read as a float NaN."""
    exponent, fraction = (0x7F800000, 0x007FFFFF) if width == 32 else (0x7FF0000000000000, 0x000FFFFFFFFFFFFF)
    return value & exponent == exponent and value & fraction != 0


def f32_lanes_canonical(half):
    """A 64-bit half of a v128 with every 32-bit lane that is a NaN made the
    canonical positive one (an f64 NaN's upper lane is an f32 NaN too)."""
    lanes = [(half >> shift) & 0xFFFFFFFF for shift in (0, 32)]
    lanes = [0x7FC00000 if is_nan_bits(lane, 32) else lane for lane in lanes]
    return lanes[0] | lanes[1] << 32


# The spec's name for a call_indirect past the table's end, and wasmtime's
# one trap code for every table access out of bounds.
SAME_TRAP = {"trap undefined element": "trap out of bounds table access"}


def normalise(line):
    """A NaN result or log as "nan" (payloads and signs are nondeterministic in
    Wasm); in a v128, whose lane types are unknown, every lane that reads as
    an f32 NaN made canonical."""
    for ours, theirs in SAME_TRAP.items():
        if line.endswith(" " + ours):
            line = line[: -len(ours)] + theirs
    parts = line.split(" ")
    for position, part in enumerate(parts):
        kind, _, value = part.partition(":")
        if kind == "v128":
            halves = value.split(":")
            if len(halves) == 2 and all(half.isdigit() for half in halves):
                parts[position] = "v128:%d:%d" % tuple(f32_lanes_canonical(int(half)) for half in halves)
            continue
        if kind in ("f32", "f64") and value.isdigit() and is_nan_bits(int(value), int(kind[1:])):
            parts[position] = kind + ":nan"
    return " ".join(parts)


def comparable(lines):
    """Lines up to the first call that exhausted the stack (exclusive of its
    logs), and whether the cut happened; the cut point is given as the call id."""
    cut = None
    for line in lines:
        if line.endswith(" trap call stack exhausted"):
            cut = line.split(" ")[0]
            break
    return cut


def truncate(lines, call):
    """Lines before the logs of `call` (after the result line of the call before it)."""
    kept, pending = [], []
    for line in lines:
        if line.startswith("log "):
            pending.append(line)
            continue
        if line.split(" ")[0] == call:
            return kept
        kept += pending + [line]
        pending = []
    return kept


def resume_after(lines):
    """The export index to start the next run from when this run ended in a
    trap of a call (None: it ran to the end, or instantiation trapped)."""
    results = [line for line in lines if not line.startswith("log ") and not line.startswith("memory ")]
    if not results:
        return None
    index, _, outcome = results[-1].partition(" ")
    if outcome.startswith("trap") and index != "-1":
        return int(index) + 1
    return None


def is_nan(window):
    """The little-endian bytes read as a NaN (f32 for 4, f64 for 8)."""
    return is_nan_bits(int.from_bytes(window, "little"), 8 * len(window))


def only_nan_bits_differ(ours, reference):
    """Every differing byte lies in a 4- or 8-byte window (at any
    alignment: stores need none) that reads as a NaN on both sides: Wasm
    leaves a NaN's sign and payload open (binaryen's --denan does not cover
    SIMD, so f32x4.min and the like still make NaNs)."""
    if len(ours) != len(reference):
        return False
    for index in (i for i, (a, b) in enumerate(zip(ours, reference)) if a != b):
        if not any(is_nan(ours[start:start + size]) and is_nan(reference[start:start + size])
                   for size in (4, 8) for start in range(max(0, index - size + 1), min(index, len(ours) - size) + 1)):
            return False
    return True


def compare(ours, reference, our_memory, reference_memory):
    """None when they agree, else a reason."""
    ours = [normalise(line) for line in ours]
    reference = [normalise(line) for line in reference]
    cut = comparable(ours) or comparable(reference)
    if cut is not None:
        ours, reference = truncate(ours, cut), truncate(reference, cut)
    for position, (a, b) in enumerate(zip(ours, reference)):
        if a != b:
            return "line %d: ours %r, wasmtime %r" % (position + 1, a, b)
    if len(ours) != len(reference):
        return "ours has %d lines, wasmtime %d" % (len(ours), len(reference))
    if cut is None and our_memory != reference_memory:
        if our_memory is None or reference_memory is None:
            return "memory dumped on one side only"
        if only_nan_bits_differ(our_memory, reference_memory):
            return None
        first = next((i for i, (a, b) in enumerate(zip(our_memory, reference_memory)) if a != b), None)
        return "memory differs (%d vs %d bytes, first at %s)" % (len(our_memory), len(reference_memory), first)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int)
    parser.add_argument("--time", type=float)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", required=True)
    parser.add_argument("--spec-runner", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--clang", default=shutil.which("clang") or "/usr/bin/clang-19")
    parser.add_argument("--module", help="check this module only (a kept finding)")
    arguments = parser.parse_args()

    harness = os.path.join(arguments.repository, "Tests/WasmToCTests/Harness")
    include = os.path.join(arguments.repository, "Guest/include")
    campaign = Campaign("binaryen", arguments, single=arguments.module is not None, progress_every=500,
                        sides=("ours", "wasmtime"))
    scratch = os.path.join(arguments.work, "scratch")
    stack_ended = 0
    rng = random.Random(arguments.seed)

    while campaign.more():
        stem = "%d-%d" % (arguments.seed, campaign.generated)
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        wasm = os.path.join(scratch, "m.wasm")
        if arguments.module:
            shutil.copy(arguments.module, wasm)
        else:
            random_bytes = os.path.join(scratch, "input.bin")
            with open(random_bytes, "wb") as file:
                file.write(rng.randbytes(rng.randint(512, 12288)))
            made = subprocess.run(["wasm-opt", "-ttf", random_bytes, *FEATURES, "--denan", "-o", wasm],
                                  capture_output=True, text=True)
            if made.returncode != 0:
                campaign.skip()
                continue
        source = os.path.join(scratch, "c")
        emitted = subprocess.run([arguments.spec_runner, "--emit-diff", wasm, source], capture_output=True, text=True)
        if emitted.returncode == 3:
            campaign.skip()
            continue
        campaign.ran("modules")
        if emitted.returncode != 0:
            campaign.keep("mismatch", wasm, stem, "mewz-runtime rejects a module binaryen made: " + emitted.stderr.strip())
            continue
        executable = os.path.join(scratch, "a.out")
        sources = [os.path.join(source, name) for name in sorted(os.listdir(source)) if name.endswith(".c")]
        built = subprocess.run([arguments.clang, *CFLAGS, "-I", include, "-I", harness, *sources,
                                os.path.join(harness, "harness.c"), os.path.join(harness, "spectest.c"),
                                "-o", executable], capture_output=True, text=True)
        if built.returncode != 0:
            campaign.keep("crash", wasm, stem, "the generated C does not compile: " + built.stderr.strip()[:2000])
            continue
        memory_path = os.path.join(scratch, "memory.bin")
        signatures = wasmtime_reference.read_signatures(os.path.join(source, "exports.txt"))
        # A trap ends an instance on both sides; the exports after it run in
        # a fresh one. Each side's lines are the runs' lines in order.
        ours, our_memory, failure, first = [], None, None, 0
        while failure is None:
            if os.path.exists(memory_path):
                os.unlink(memory_path)
            try:
                ran = subprocess.run([executable, memory_path, str(first)], capture_output=True, text=True,
                                     timeout=60)
            except subprocess.TimeoutExpired:
                failure = ("timeout", "the generated code ran for over 60 s")
                break
            if ran.returncode != 0:
                failure = ("crash", "the harness process ended with status %d: %s"
                           % (ran.returncode, ran.stderr.strip()[-500:]))
                break
            lines = ran.stdout.splitlines()
            ours += lines
            first = resume_after(lines)
            if first is None:
                our_memory = open(memory_path, "rb").read() if os.path.exists(memory_path) else None
                break
        if failure is not None:
            campaign.keep(failure[0], wasm, stem, failure[1], "\n".join(ours))
            continue
        try:
            reference, reference_memory, first = [], None, 0
            while True:
                lines, reference_memory = wasmtime_reference.run(wasm, signatures, first)
                reference += lines
                first = resume_after(lines)
                if first is None:
                    break
        except Exception as error:  # the reference itself failed: not ours to judge
            campaign.unrun()
            print("binaryen: wasmtime could not run module %s: %s" % (stem, error), file=sys.stderr)
            continue
        if comparable(ours) or comparable(reference):
            stack_ended += 1
        reason = compare(ours, reference, our_memory, reference_memory)
        if reason:
            campaign.keep("mismatch", wasm, stem, reason, "\n".join(ours), "\n".join(reference))
    campaign.finish("%d modules generated, %d skipped (wasm-opt failed or imports), %d compared only up to a stack "
                    "exhaustion" % (campaign.generated, campaign.counts["skipped"], stack_ended))


if __name__ == "__main__":
    main()
