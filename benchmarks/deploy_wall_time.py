"""Wall time of `framework-advisor deploy` as a user runs it (process start to exit).

Usage: python benchmarks/deploy_wall_time.py [--runs N] [--preset quick|full] [--python PATH]
Prints each run with how many routes worked, then the median and the spread. Target
(issue 14): a quick run with the light extras ([deploy]) under 60 s on a 2-core machine.
Each run gets a fresh data folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def _run(preset: str, python: str | None) -> tuple[float, dict[str, object]]:
    command = [sys.executable, "-m", "advisor", "deploy", "--preset", preset, "--json", "--quiet"]
    command += ["--python", python] if python else []
    with tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        done = subprocess.run(
            command,
            check=True,
            capture_output=True,
            text=True,
            env=dict(os.environ, FRAMEWORK_ADVISOR_DATA_DIR=data),
        )
        elapsed = time.perf_counter() - started
    return elapsed, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--python")
    args = parser.parse_args()
    times = []
    record: dict[str, object] = {}
    for run in range(args.runs):
        elapsed, record = _run(args.preset, args.python)
        times.append(elapsed)
        routes = record["deployment"]["routes"]  # type: ignore[index]
        working = sum(r["status"] == "ok" for r in routes)
        print(f"run {run + 1}: {elapsed:.1f} s, {working} of {len(routes)} routes work")
    print(
        f"median {statistics.median(times):.1f} s, min {min(times):.1f} s, "
        f"max {max(times):.1f} s over {len(times)} runs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
