"""Wall time of `framework-advisor scan` on a real repository (process start to exit).

Usage: python benchmarks/scan_speed.py PATH [--runs N] [--cpus 0,1]
PATH is a checked-out repository (fetch one; never commit it). Prints the files and
source files read, each run's wall and CPU time, the median and the spread.
Target (issue 23): a repository of 10,000 source files in under 10 s on two cores.
--cpus pins the scan to those cores (Linux), to measure "two cores" on a bigger machine.
On a shared or busy machine the wall times are indicative only (see /proc/loadavg).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def _run_once(path: str, cpus: set[int] | None) -> tuple[float, float, dict[str, object]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "scan", "--json", "--quiet", path],
        check=True,
        capture_output=True,
        text=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpus", help="comma-separated core numbers to pin the scan to")
    args = parser.parse_args()
    cpus = {int(c) for c in args.cpus.split(",")} if args.cpus else None
    walls = []
    for run in range(args.runs):
        wall, cpu, document = _run_once(args.path, cpus)
        walls.append(wall)
        read = document["read"]
        assert isinstance(read, dict)
        print(
            f"run {run + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU; {read['files']} files, "
            f"{read['source_files']} source files; load {os.getloadavg()[0]:.1f}"
        )
    print(
        f"median {statistics.median(walls):.2f} s, min {min(walls):.2f} s, "
        f"max {max(walls):.2f} s over {len(walls)} runs (cores: {args.cpus or 'all'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
