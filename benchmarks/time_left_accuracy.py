"""How good the time left is: real runs, their estimates against the time they really took.

Usage: python benchmarks/time_left_accuracy.py [--what bench|deploy|both] [--preset tiny|quick|full]
       [--save FILE]

For each kind of run, in a fresh, empty data folder: a first run (the time left from the
preset's budgets alone), then a later run (from the step times the first one kept).
Prints, at 10 %, 25 %, 50 % and 75 % of each run's real duration, the total the estimate
predicted (elapsed + time left) and its error. --save writes the timelines as JSON lines.
Figures mean something only on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARES = (0.10, 0.25, 0.50, 0.75)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--what", choices=("bench", "deploy", "both"), default="both")
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    kinds = ("bench", "deploy") if args.what == "both" else (args.what,)
    saved: list[dict[str, Any]] = []
    for what in kinds:
        with tempfile.TemporaryDirectory(prefix="advisor-timeleft-") as data:
            os.environ["FRAMEWORK_ADVISOR_DATA_DIR"] = data  # empty: the first run has no history
            for run in ("first run", "later run"):
                total, timeline = _timed(what, args.preset)
                print(f"{what} {args.preset}, {run}: {total:.1f} s, {len(timeline)} updates")
                for line in _accuracy(total, timeline):
                    print(f"  {line}", flush=True)
                saved += [dict(entry, what=what, run=run) for entry in _entries(timeline)]
    if args.save:
        with args.save.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(entry) + "\n" for entry in saved)
    return 0


def _timed(what: str, preset: str) -> tuple[float, list[tuple[float, Any]]]:
    """One real run as the app makes it: its length and every progress update (seconds in)."""
    from advisor.base.progress import Progress
    from advisor.bench.run import BenchOptions, run_benchmarks
    from advisor.deploy.run import DeployOptions, run_deployment

    timeline: list[tuple[float, Any]] = []
    started = time.monotonic()

    def listen(event: object) -> None:
        progress = getattr(event, "progress", None)
        if isinstance(progress, Progress):
            timeline.append((time.monotonic() - started, progress))

    if what == "bench":
        run_benchmarks(BenchOptions(preset), None, listen)
    else:
        run_deployment(DeployOptions(preset), None, listen)
    return time.monotonic() - started, timeline


def _accuracy(total: float, timeline: list[tuple[float, Any]]) -> list[str]:
    """At each share of the real length, the latest estimate of the whole run and its error."""
    lines = []
    for share in SHARES:
        at = [(t, p) for t, p in timeline if t <= share * total and p.left_s is not None]
        if not at:
            lines.append(f"at {share:4.0%}: no estimate yet")
            continue
        t, progress = at[-1]
        predicted = t + progress.left_s
        lines.append(
            f"at {share:4.0%} ({t:5.1f} s): predicted {predicted:5.1f} s of {total:5.1f} s, "
            f"error {predicted / total - 1:+.0%}, bar {progress.fraction:4.0%}"
        )
    return lines


def _entries(timeline: list[tuple[float, Any]]) -> list[dict[str, Any]]:
    return [
        {"t": round(t, 3), "step": p.step, "done": p.done, "total": p.total, "left_s": p.left_s}
        for t, p in timeline
    ]


if __name__ == "__main__":
    raise SystemExit(main())
