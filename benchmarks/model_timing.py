"""Wall time of `framework-advisor deploy --model` on the shipped fixture models.

Usage: python benchmarks/model_timing.py [--runs N] [--preset quick] [--python PATH]
    [--model FILE.py:FUNCTION ...]
Prints each run (process start to exit) with its route statuses, then the median and the
spread per model. Target (issue 24): a whole `deploy --model` of a small model under 60 s
on two cores with the light extras installed. Each run gets a fresh data folder.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "models"
DEFAULT_MODELS = (f"{FIXTURES / 'cnn.py'}:build", f"{FIXTURES / 'keras_custom.py'}:build")


def _run(model: str, preset: str, python: str | None) -> tuple[float, dict[str, object]]:
    command = [sys.executable, "-m", "advisor", "deploy", "--model", model]
    command += ["--preset", preset, "--json", "--quiet"]
    command += ["--python", python] if python else []
    with tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        done = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            env=dict(os.environ, FRAMEWORK_ADVISOR_DATA_DIR=data),
        )
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{model}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    return elapsed, json.loads(done.stdout)


def _statuses(record: dict[str, object]) -> str:
    routes = record["deployment"]["routes"]  # type: ignore[index]
    counts = collections.Counter(r["status"] for r in routes)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--python")
    parser.add_argument("--model", action="append", help="FILE.py:FUNCTION (repeatable)")
    args = parser.parse_args()
    for model in args.model or DEFAULT_MODELS:
        times = []
        for run in range(args.runs):
            elapsed, record = _run(model, args.preset, args.python)
            times.append(elapsed)
            print(f"{Path(model).name} run {run + 1}: {elapsed:.1f} s ({_statuses(record)})")
        print(
            f"{Path(model).name}: median {statistics.median(times):.1f} s, "
            f"min {min(times):.1f} s, max {max(times):.1f} s over {len(times)} runs"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
