"""Drive the desktop app on a (virtual) screen and save a screenshot of each page into docs/.

Usage: xvfb-run -a -s "-screen 0 1400x900x24" python scripts/screenshots.py [--record FILE]

The app probes this machine for real. Benchmarks run for real at the quick size unless
--record names a saved bench record, whose run is then shown instead (seconds, not a
minute). Answers come from the shipped nlp_research_lab profile. A throwaway data folder
keeps the user's own session untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _wait(app: object, seconds: float, until: object = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if until is not None and until():  # type: ignore[operator]
            return
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", type=Path, help="show this saved bench run")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    os.environ["FRAMEWORK_ADVISOR_DATA_DIR"] = tempfile.mkdtemp(prefix="advisor-shots-")

    from advisor.display import prepare_webengine

    prepare_webengine()
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from advisor.gui.main_window import MainWindow
    from advisor.record import record_from_json
    from advisor.scoring.answers import load_answers
    from advisor.scoring.knowledge import knowledge
    from advisor.scoring.profiles import profile_path
    from advisor.session import Session

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    known = knowledge()
    answers = load_answers(profile_path("nlp_research_lab"), known)
    window = MainWindow(known, Session(answers, None))
    window.show()
    window.start()
    _wait(app, 120, lambda: window.record is not None)
    if args.record is not None:
        window.set_record(record_from_json(args.record.read_text(encoding="utf-8")))
    else:
        window.bench.start()
        _wait(app, 300, lambda: window.bench.job is not None and not window.bench.job.running())
    args.out.mkdir(exist_ok=True)
    for number, name in enumerate(("questions", "machine", "benchmarks", "deployment", "report")):
        window.nav.setCurrentRow(number)
        _wait(app, 4.0 if name == "report" else 0.5)
        target = args.out / f"app-{name}.png"
        window.grab().save(str(target))
        print(f"saved {target}")
    window.close()


if __name__ == "__main__":
    main()
