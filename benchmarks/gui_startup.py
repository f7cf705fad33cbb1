"""Benchmark of the desktop app's start (issue 6): launch to first window visible; target 1.5 s.

Usage: xvfb-run -a python benchmarks/gui_startup.py [--runs N]   (or on a desktop session)

Each run starts `python -m advisor gui` as a new process with an empty data folder; the app,
told by FRAMEWORK_ADVISOR_STARTUP_PROBE, writes the wall-clock time once its window is shown
and its first events are processed, then quits. Launch time counts from just before the
process is spawned, so interpreter start and every import are included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.5


def one_launch() -> float:
    with tempfile.TemporaryDirectory() as folder:
        marker = Path(folder) / "shown"
        env = dict(
            os.environ,
            FRAMEWORK_ADVISOR_STARTUP_PROBE=str(marker),
            FRAMEWORK_ADVISOR_DATA_DIR=folder,
        )
        started = time.time()
        subprocess.run([sys.executable, "-m", "advisor", "gui"], env=env, check=True, timeout=60)
        shown_at = float(marker.read_text().split()[0])
        return shown_at - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    one_launch()  # the first launch fills the OS file cache; it is not counted
    times = [one_launch() for _ in range(args.runs)]
    platform = os.environ.get("QT_QPA_PLATFORM") or f"DISPLAY={os.environ.get('DISPLAY')}"
    print(
        f"first window visible ({platform}): median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s, n={len(times)}; "
        f"target <= {TARGET_S} s: {'ok' if statistics.median(times) <= TARGET_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
