"""What the differential drivers (binaryen_diff.py, csmith_diff.py) share:
the budget (--count cases run, or --time seconds, or one given case), the
counts, a progress line now and then, the kept findings and the last
line hack/fuzz reads, "counts <run> <crashes> <mismatches> <timeouts>".
"""
import os
import shutil
import sys
import time


class Campaign:
    def __init__(self, name, arguments, single, progress_every, sides):
        """`name` prefixes every line ("binaryen"); `arguments` holds count,
        time and work; `single`: one given case, whatever the budget; `sides`:
        the names of the two outputs a finding keeps ("ours", "wasmtime")."""
        self.name = name
        self.count = arguments.count
        self.time = arguments.time
        self.work = arguments.work
        self.single = single
        self.progress_every = progress_every
        self.sides = sides
        self.counts = {"run": 0, "crash": 0, "mismatch": 0, "timeout": 0, "skipped": 0}
        self.generated = 0
        self.started = time.monotonic()
        os.makedirs(self.work, exist_ok=True)

    def more(self):
        """Whether to make another case; counts it as generated if so."""
        if self.single:
            more = self.generated == 0
        elif self.count is not None:
            # --count is cases run, the number the last line reports; skipped
            # ones do not count, but a run that skips nearly everything still ends.
            more = self.counts["run"] < self.count and self.generated < 4 * self.count + 10
        else:
            more = self.time is None or time.monotonic() - self.started < self.time
        if more:
            self.generated += 1
        return more

    def skip(self):
        self.counts["skipped"] += 1

    def ran(self, what):
        """A case runs on both sides; `what` names it in the progress line."""
        self.counts["run"] += 1
        if self.counts["run"] % self.progress_every == 0:  # a long run shows it is alive
            print("%s: %d %s run in %.0f s, %d mismatches so far"
                  % (self.name, self.counts["run"], what, time.monotonic() - self.started, self.counts["mismatch"]),
                  file=sys.stderr)

    def unrun(self):
        """The case turned out not to be a test after all (the reference failed)."""
        self.counts["run"] -= 1
        self.counts["skipped"] += 1

    def keep(self, kind, source, stem, detail, first="", second=""):
        """A finding: `source` copied to <work>/<kind>-<stem> with its
        extension, and a .txt beside it with the detail and both outputs."""
        self.counts[kind] += 1
        name = os.path.join(self.work, "%s-%s" % (kind, stem))
        extension = os.path.splitext(source)[1]
        shutil.copy(source, name + extension)
        with open(name + ".txt", "w") as file:
            file.write("%s\n--- %s\n%s\n--- %s\n%s\n" % (detail, self.sides[0], first, self.sides[1], second))
        print("%s: %s %s: %s" % (self.name, kind, name + extension, detail), file=sys.stderr)

    def finish(self, summary):
        """`summary` (on stderr), then the counts line."""
        print("%s: %s" % (self.name, summary), file=sys.stderr)
        counts = self.counts
        print("counts %d %d %d %d" % (counts["run"], counts["crash"], counts["mismatch"], counts["timeout"]))
