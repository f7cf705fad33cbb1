"""Wall time of `framework-advisor deploy --model` and `bench --model` on the fixture models.

Usage: python benchmarks/model_timing.py [--runs N] [--preset quick] [--python PATH]
    [--command deploy|bench] [--model FILE.py:FUNCTION ...]
Prints each run (process start to exit) with its statuses, then the median and the spread
per command and model. Targets (issue 24): a whole `deploy --model` of a small model, and
`bench --model` quick, each under 60 s on two cores with the light extras installed. Each
run gets a fresh data folder.
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


def _run(what: str, model: str, preset: str, python: str | None) -> tuple[float, dict[str, object]]:
    command = [sys.executable, "-m", "advisor", what, "--model", model]
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
    if record.get("deployment"):
        found = record["deployment"]["routes"]  # type: ignore[index]
    else:
        suites = record["benchmarks"]["suites"]  # type: ignore[index]
        found = [case for suite in suites for case in suite["cases"]]
    counts = collections.Counter(r["status"] for r in found)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--python")
    parser.add_argument("--model", action="append", help="FILE.py:FUNCTION (repeatable)")
    parser.add_argument("--command", choices=("deploy", "bench"), action="append")
    args = parser.parse_args()
    for what in args.command or ("deploy", "bench"):
        for model in args.model or DEFAULT_MODELS:
            name = f"{what} {Path(model).name}"
            times = []
            for run in range(args.runs):
                elapsed, record = _run(what, model, args.preset, args.python)
                times.append(elapsed)
                print(f"{name} run {run + 1}: {elapsed:.1f} s ({_statuses(record)})")
            print(
                f"{name}: median {statistics.median(times):.1f} s, "
                f"min {min(times):.1f} s, max {max(times):.1f} s over {len(times)} runs"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
