"""How good the time left is: a real run, its estimates against the time it really took.

Usage: python benchmarks/time_left_accuracy.py [--what bench|deploy] [--preset tiny|quick|full]
       [--save FILE]

Runs the benchmarks (or the deployment routes) as the app does, keeps every progress
update, then prints, at 10 %, 25 %, 50 % and 75 % of the run's real duration, the total
the estimate predicted (elapsed + time left) and its error; and, per kind of step, how
long its steps took against their priors. --save writes the timeline as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--what", choices=("bench", "deploy"), default="bench")
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    os.environ["FRAMEWORK_ADVISOR_DATA_DIR"] = tempfile.mkdtemp(prefix="advisor-timeleft-")
    from advisor.bench.run import BenchOptions
    from advisor.deploy.run import DeployOptions
    from advisor.progress import Progress
    from advisor.service import deploy, measure

    timeline: list[tuple[float, Progress]] = []
    messages: list[tuple[float, str]] = []
    started = time.monotonic()

    def listen(event: object) -> None:
        progress = getattr(event, "progress", None)
        if isinstance(progress, Progress):
            timeline.append((time.monotonic() - started, progress))
        elif getattr(event, "kind", "") == "message":
            messages.append((time.monotonic() - started, str(getattr(event, "message", ""))))

    if args.what == "bench":
        measure(BenchOptions(args.preset), None, listen)
    else:
        deploy(DeployOptions(args.preset), None, listen)
    total = time.monotonic() - started
    print(f"{args.what} {args.preset}: {total:.1f} s, {len(timeline)} progress updates")
    for share in (0.10, 0.25, 0.50, 0.75):
        at = [(t, p) for t, p in timeline if t <= share * total and p.left_s is not None]
        if not at:
            print(f"  at {share:4.0%}: no estimate yet")
            continue
        t, progress = at[-1]
        predicted = t + (progress.left_s or 0.0)
        print(
            f"  at {share:4.0%} ({t:5.1f} s): predicted total {predicted:5.1f} s, "
            f"error {predicted / total - 1:+.0%}"
        )
    if args.save:
        with args.save.open("w", encoding="utf-8") as out:
            for t, p in timeline:
                out.write(json.dumps({"t": round(t, 3), "step": p.step, "done": p.done,
                                      "total": p.total, "left_s": p.left_s}) + "\n")  # fmt: skip
            for t, message in messages:
                out.write(json.dumps({"t": round(t, 3), "message": message}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
