"""Wall time of `framework-advisor probe` as a user runs it (process start to exit).

Usage: python benchmarks/probe_wall_time.py [--runs N]
Prints each run, the median and the spread. Target (issue 2): under 10 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = []
    for run in range(args.runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "advisor", "probe", "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
        print(f"run {run + 1}: {times[-1]:.2f} s")
    print(
        f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
        f"max {max(times):.2f} s over {len(times)} runs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
