"""Drive the desktop app on a (virtual) screen and save a screenshot of each page into docs/.

Usage: xvfb-run -a -s "-screen 0 2600x1500x24" python scripts/screenshots.py
           [--record FILE ...] [--others FILE ...] [--scheme light|dark] [--scale 1|2]
           [--size 1280x720] [--model FILE.py:FUNCTION]

The app probes this machine for real. Benchmarks run for real at the quick size unless
--record names saved records (a bench run, a deployment run: they are combined), which
are then shown instead (seconds, not a minute). Answers come from the shipped
nlp_research_lab profile. A throwaway data folder keeps the user's own session untouched.
The window is --size in logical pixels, so --scale 2 needs a screen twice as large; the
files are app-<page>[-dark][-200].png. With --others, records of other machines are added
(File > Add results from another machine) after those, for app-other-machines[...].png.
With --model, the model is timed on the Benchmarks page and tried on the Deployment page
instead, for real (quick preset), and the files are app-your-model-<page>.png.
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
# The docs' screenshot of each page (by its name in the app's PAGES) is app-FILE.png.
SHOT_NAMES = {
    "questions": "questions",
    "machine": "machine",
    "bench": "benchmarks",
    "deploy": "deployment",
    "report": "report",
}


def _wait(app: object, seconds: float, until: object = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if until is not None and until():  # type: ignore[operator]
            return
        time.sleep(0.02)


def _save(app: object, window: object, target: Path, settle_s: float) -> None:
    """Let the page shown settle, then save the window as ``target``."""
    _wait(app, settle_s)
    window.grab().save(str(target))  # type: ignore[attr-defined]
    print(f"saved {target}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", type=Path, nargs="*", default=[], help="saved runs to show")
    parser.add_argument(
        "--others", type=Path, nargs="*", default=[], help="other machines' records to add"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    parser.add_argument("--scale", type=int, choices=(1, 2), default=1)
    parser.add_argument("--size", default="1280x720", help="window size in logical pixels")
    parser.add_argument(
        "--fresh", action="store_true", help="a first run (the welcome): app-welcome*.png only"
    )
    parser.add_argument("--model", help="FILE.py:FUNCTION: app-your-model-*.png only")
    return parser.parse_args()


def _your_model(app: object, window: object, model: str, out: Path, suffix: str) -> None:
    """Run the model on the Benchmarks and Deployment pages, saving each page when done."""
    path, _colon, function = model.rpartition(":")
    window.bench.model.choice.set(path, function)  # type: ignore[attr-defined]
    for page_name in ("bench", "deploy"):
        page, name = getattr(window, page_name), SHOT_NAMES[page_name]
        window.show_page(page_name)  # type: ignore[attr-defined]
        page.start()
        _wait(app, 1800, lambda page=page: page.job is not None and not page.job.running())
        _wait(app, 0.5)
        target = out / f"app-your-model-{name}{suffix}.png"
        window.grab().save(str(target))  # type: ignore[attr-defined]
        print(f"saved {target}")


def _show_runs(window: object, paths: list[Path]) -> None:
    """The saved runs, combined as the session store keeps them."""
    from advisor.record import record_from_json
    from advisor.session.runs import combined

    shown = None
    for path in paths:
        shown = combined(shown, record_from_json(path.read_text(encoding="utf-8")))
    assert shown is not None
    window.set_record(shown)  # type: ignore[attr-defined]


def main() -> None:
    args = _arguments()
    os.environ["FRAMEWORK_ADVISOR_DATA_DIR"] = tempfile.mkdtemp(prefix="advisor-shots-")
    os.environ["FRAMEWORK_ADVISOR_COLOR_SCHEME"] = args.scheme
    os.environ["QT_SCALE_FACTOR"] = str(args.scale)  # read once, when Qt starts
    width, height = (int(part) for part in args.size.split("x"))
    suffix = ("-dark" if args.scheme == "dark" else "") + ("-200" if args.scale == 2 else "")

    from advisor.base.display import prepare_webengine

    prepare_webengine()
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from advisor.gui.main_window import MainWindow
    from advisor.gui.theme import apply_scheme
    from advisor.scoring.answers import default_answers as fresh_answers
    from advisor.scoring.answers import load_answers
    from advisor.scoring.knowledge import knowledge
    from advisor.scoring.profiles import profile_path
    from advisor.session.saved import SavedSession

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    apply_scheme(app)
    known = knowledge()
    answers = load_answers(profile_path("nlp_research_lab"), known)
    window = MainWindow(known, SavedSession(fresh_answers(known) if args.fresh else answers, None))
    window.resize(width, height)
    window.show()
    window.start()
    _wait(app, 120, lambda: window.session.record is not None)
    args.out.mkdir(exist_ok=True)
    if args.model:
        _your_model(app, window, args.model, args.out, suffix)
        window.close()
        return
    if args.record and not args.fresh:  # a first run shows its own probe, nothing measured
        _show_runs(window, args.record)
    elif not args.fresh:
        window.bench.start()
        _wait(app, 300, lambda: window.bench.job is not None and not window.bench.job.running())
    for page_name in SHOT_NAMES if not args.fresh else ["questions"]:
        window.show_page(page_name)
        name = "welcome" if args.fresh else SHOT_NAMES[page_name]
        _save(app, window, args.out / f"app-{name}{suffix}.png", 4.0 if name == "report" else 0.5)
    if args.others and not args.fresh:
        for path in args.others:
            window.add_other(path)
        window.show_page("bench")
        _save(app, window, args.out / f"app-other-machines{suffix}.png", 0.5)
    window.close()


if __name__ == "__main__":
    main()
