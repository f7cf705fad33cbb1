"""Benchmarks of the benchmark harness itself (issue 3): fidelity, quick-suite wall time, stability.

Usage: python benchmarks/harness.py [--skip-suite] [--preset quick|full] [--runs N]

1. Fidelity: for each framework, the harness's matmul GFLOP/s (probes/_bench_common.measure,
   median) divided by a bare tight loop of the same op in the same process. Target >= 0.95.
2. Quick-suite wall time: `framework-advisor bench --quick`, process start to exit. Target
   <= 45 s after the first run on a machine: a run that did torch.compile's one-time compiler
   set-up (the first on a machine, or with an empty cache folder) is marked, as it pays about
   15 s more here, once. benchmarks/bench_phases.py says where a run's time goes.
3. Stability: two (or --runs N) consecutive quick runs; per workload row, the PyTorch/TensorFlow
   speed ratio of each run over the one before. Target: within 10 %.
Each framework runs in its own subprocess, as in the product.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N = 1024
ROUNDS = 5

_FIDELITY_CHILD = """
import json, os, statistics, sys, time
sys.path.insert(0, {probes!r})
from _bench_common import measure, pin_threads
pin_threads({threads})
framework, n, rounds = {framework!r}, {n}, {rounds}
if framework == "torch":
    import torch
    torch.set_num_threads({threads})
    a, b = torch.randn(n, n), torch.randn(n, n)
    op, sync = (lambda: a @ b), (lambda: None)
else:
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads({threads})
    tf.config.threading.set_inter_op_parallelism_threads(1)
    a, b = tf.random.normal((n, n)), tf.random.normal((n, n))
    op, sync = (lambda: tf.matmul(a, b)), tf.test.experimental.sync_devices
budget = {budget}
flops = 2.0 * n ** 3
harness, bare = [], []
for _ in range(rounds):
    timing = measure(op, sync, budget)
    harness.append(flops / statistics.median(timing["samples_s"]) / 1e9)
    iterations = timing["inner_iterations"] * len(timing["samples_s"])
    start = time.perf_counter()
    for _ in range(iterations):
        op()
    sync()
    bare.append(flops * iterations / (time.perf_counter() - start) / 1e9)
print(json.dumps({{"harness": harness, "bare": bare}}))
"""


def _quick_budget() -> dict[str, float]:
    """The quick preset's timing settings as one pass (the suite shares them out over passes)."""
    sys.path.insert(0, str(ROOT))
    from advisor.bench.spec import suite

    return dataclasses.replace(suite().presets["quick"], passes=1).pass_budget()


def fidelity(framework: str, threads: int) -> tuple[float, float, float]:
    code = _FIDELITY_CHILD.format(
        probes=str(ROOT / "probes"),
        threads=threads,
        framework=framework,
        n=N,
        rounds=ROUNDS,
        budget=_quick_budget(),
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    harness, bare = statistics.median(data["harness"]), statistics.median(data["bare"])
    return harness, bare, harness / bare


def _compiler_set_ups() -> set[str]:
    sys.path.insert(0, str(ROOT))
    from advisor.base.datadir import cache_dir

    folder = cache_dir() / "torch-compiler"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def suite_run(preset: str, output: Path) -> tuple[float, bool]:
    """Wall time of one run, and whether it did the one-time compiler set-up."""
    before = _compiler_set_ups()
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "advisor",
            "bench",
            "--preset",
            preset,
            "--quiet",
            "--output",
            str(output),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start, _compiler_set_ups() != before


def medians(path: Path) -> dict[str, float]:
    """Median seconds per iteration of every case, keyed 'framework workload variant dtype'."""
    sys.path.insert(0, str(ROOT))
    from advisor.record import record_from_json

    run = record_from_json(path.read_text()).benchmarks
    assert run is not None
    return {
        f"{s.framework} {c.workload} {c.variant} {c.dtype}": c.stats.median_s
        for s in run.suites
        for c in s.cases
        if c.stats is not None
    }


def ratios(path: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from advisor.comparison import compare
    from advisor.record import record_from_json

    run = record_from_json(path.read_text()).benchmarks
    assert run is not None
    return {
        f"{r.workload.id} {r.dtype} {r.pair}": r.ratio
        for r in compare(run).rows
        if r.ratio is not None
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-suite", action="store_true", help="fidelity only")
    parser.add_argument(
        "--preset", default="quick", help="suite size for wall time and stability (default quick)"
    )
    parser.add_argument(
        "--runs", type=int, default=2, help="consecutive suite runs to compare (default 2)"
    )
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    import psutil

    threads = psutil.cpu_count(logical=False) or 1
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    print(f"machine: {cpu}, {threads} physical cores, {os.cpu_count()} logical")
    print(f"1. fidelity (matmul {N}x{N} float32, median of {ROUNDS} rounds, harness / bare loop)")
    for framework in ("torch", "tensorflow"):
        harness, bare, ratio = fidelity(framework, threads)
        verdict = "ok" if ratio >= 0.95 else "BELOW 0.95"
        print(
            f"   {framework:<11} harness {harness:7.1f} GFLOP/s, bare {bare:7.1f} GFLOP/s, "
            f"ratio {ratio:.3f} ({verdict})"
        )
    if args.skip_suite:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"run{i}.json" for i in range(1, args.runs + 1)]
        runs = [suite_run(args.preset, path) for path in paths]
        target = " (target <= 45 s without the set-up)" if args.preset == "quick" else ""
        listed = ", ".join(
            f"run {i} {wall:.1f} s" + (" (with the one-time compiler set-up)" if set_up else "")
            for i, (wall, set_up) in enumerate(runs, 1)
        )
        print(f"2. {args.preset}-suite wall time: {listed}" + target)
        print("3. stability: PyTorch/TensorFlow speed ratio, run to run (target within 10 %)")
        outside = compared = 0
        for number, (before, after) in enumerate(itertools.pairwise(paths), 1):
            print(f"   run {number} -> run {number + 1}:")
            first, second = ratios(before), ratios(after)
            for key in first:
                if key in second:
                    change = second[key] / first[key] - 1
                    compared += 1
                    outside += abs(change) > 0.10
                    flag = "ok" if abs(change) <= 0.10 else "OUTSIDE 10 %"
                    print(
                        f"   {key:<32} {first[key]:7.3f} -> {second[key]:7.3f}  "
                        f"{change:+6.1%}  {flag}"
                    )
            print("   per framework, median time per iteration:")
            early, late = medians(before), medians(after)
            for key, value in early.items():
                if key in late:
                    print(
                        f"   {key:<44} {value * 1e3:9.3f} ms -> {late[key] * 1e3:9.3f} ms  "
                        f"{late[key] / value - 1:+6.1%}"
                    )
        print(f"   rows outside 10 %: {outside} of {compared}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
