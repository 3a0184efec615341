"""make bench BENCH_SUITES=N: the suites' wall times against their targets.

Each suite is run as a user runs it, from this tree, one at a time:
  make test      a warm build (one untimed run first builds what is
                 missing), then N timed runs
  make test-kvm  the nested bed built (the untimed run builds it), N runs
  make test-kvm-arm64  the same on the arm64 bed
and, with --fresh-ci, .ci/run once on a fresh clone of HEAD, as CI runs it
(the outer QEMU and L1 come from the cache outside the clone when it has
them; see the README). Prints each suite's median, min and max and the
median's ratio to its target. A suite that fails ends the benchmark: its
time would mean nothing.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "build" / "bench" / "suites"
# Seconds: the targets for these 2-core machines.
TARGETS = {"make test": 60, "make test-kvm": 240, "make test-kvm-arm64": 240,
           ".ci/run, fresh clone": 480}


def timed(label, command, cwd, log):
    """Seconds the command took; exits the benchmark when it fails."""
    started = time.monotonic()
    with open(log, "wb") as out:
        status = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - started
    if status != 0:
        sys.exit(f"bench: {label} failed (status {status}) after {seconds:.0f} s; see {log}")
    print(f"bench: {label}: {seconds:.1f} s", flush=True)
    return seconds


def run_suite(target, runs):
    label = f"make {target}"
    timed(f"{label} (untimed, builds what is missing)", ["make", target], ROOT,
          LOGS / f"{target}-warm.log")
    return [timed(f"{label} run {run + 1}", ["make", target], ROOT,
                  LOGS / f"{target}-{run + 1}.log") for run in range(runs)]


def fresh_ci():
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout
    if dirty:
        print("bench: note: the tree has uncommitted changes; the clone has HEAD only")
    with tempfile.TemporaryDirectory(prefix="hvfeat-ci-") as clone:
        started = time.monotonic()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), clone], check=True)
        timed(".ci/run on a fresh clone", [f"{clone}/.ci/run"], clone, LOGS / "fresh-ci.log")
        return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each suite")
    parser.add_argument("--fresh-ci", action="store_true",
                        help="also time .ci/run on a fresh clone of HEAD")
    options = parser.parse_args()
    LOGS.mkdir(parents=True, exist_ok=True)
    results = {"make test": run_suite("test", options.runs),
               "make test-kvm": run_suite("test-kvm", options.runs),
               "make test-kvm-arm64": run_suite("test-kvm-arm64", options.runs)}
    if options.fresh_ci:
        results[".ci/run, fresh clone"] = [fresh_ci()]

    print(f"\n{'suite':<22} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7} "
          f"{'target s':>9} {'x target':>9}")
    for suite, seconds in results.items():
        median, target = statistics.median(seconds), TARGETS[suite]
        print(f"{suite:<22} {len(seconds):4d} {median:9.1f} {min(seconds):7.1f} "
              f"{max(seconds):7.1f} {target:9d} {median / target:9.2f}  "
              + ("met" if median <= target else "MISSED"))


if __name__ == "__main__":
    main()
