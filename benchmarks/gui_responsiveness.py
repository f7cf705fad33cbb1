"""Benchmark of the app's responsiveness (issue 6): event-loop stalls during a benchmark run,
and how long Cancel takes to stop it. Targets: stalls at most 100 ms; stop within 2 s.

Usage: xvfb-run -a python benchmarks/gui_responsiveness.py [--preset quick]

The main window runs the suite through its Benchmarks page exactly as a user's click does;
a 10 ms QTimer records how late the event loop serves it. A second run is cancelled after
its third finished case and the time from Cancel to the run's end is measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
STALL_TARGET_S, CANCEL_TARGET_S = 0.100, 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="quick")
    args = parser.parse_args()
    os.environ["FRAMEWORK_ADVISOR_DATA_DIR"] = tempfile.mkdtemp(prefix="advisor-bench-")
    from advisor.base.display import prepare_webengine

    prepare_webengine()
    from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from advisor.gui.main_window import MainWindow
    from advisor.scoring.answers import default_answers
    from advisor.scoring.knowledge import knowledge
    from advisor.session.saved import SavedSession

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    window = MainWindow(knowledge(), SavedSession(default_answers(knowledge()), None))
    window.show()
    window.show_page("bench")
    clock, gaps = QElapsedTimer(), []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: gaps.append(clock.restart() / 1000))

    def run_until_done(cancel_after: int | None) -> float | None:
        finished, cancelled_at = [0], [0.0]
        window.bench.preset = args.preset
        window.bench.start()
        job = window.bench.job
        assert job is not None

        def count(event: object) -> None:
            if getattr(event, "kind", "") == "case_finished":
                finished[0] += 1
                if cancel_after is not None and finished[0] == cancel_after:
                    cancelled_at[0] = time.monotonic()
                    window.bench.cancel_button.click()

        job.progress.connect(count)
        while job.running() or not window.bench.start_button.isEnabled():
            app.processEvents()
            time.sleep(0.002)
        return time.monotonic() - cancelled_at[0] if cancel_after is not None else None

    clock.start()
    timer.start()
    started = time.monotonic()
    run_until_done(None)
    wall = time.monotonic() - started
    timer.stop()
    stop_s = run_until_done(3)
    gaps.sort()
    print(f"{args.preset} run in the app: {wall:.1f} s, {len(gaps)} timer ticks")
    print(
        f"event-loop gap: median {statistics.median(gaps) * 1e3:.1f} ms, "
        f"p99 {gaps[int(len(gaps) * 0.99)] * 1e3:.1f} ms, max {gaps[-1] * 1e3:.1f} ms; "
        f"ticks later than 100 ms: {sum(g > STALL_TARGET_S for g in gaps)}; "
        f"target max <= 100 ms: {'ok' if gaps[-1] <= STALL_TARGET_S else 'MISSED'}"
    )
    print(
        f"Cancel to stopped: {stop_s:.2f} s; target <= {CANCEL_TARGET_S:.0f} s: "
        f"{'ok' if stop_s is not None and stop_s <= CANCEL_TARGET_S else 'MISSED'}"
    )
    window.close()


if __name__ == "__main__":
    main()
