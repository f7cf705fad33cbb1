"""The app as `framework-advisor gui` starts it, opened on the Report page, closed once the
preview has loaded: for tests that look at what a launch prints.

    python -m tests.gui.launch_on_report

The session is the one in FRAMEWORK_ADVISOR_DATA_DIR (it needs a record for a report).
"""

from __future__ import annotations

import sys

from advisor.gui import app
from advisor.gui.main_window import MainWindow
from advisor.scoring.knowledge import Knowledge

SETTLE_MS = 1000  # after the preview loaded: what Qt WebEngine prints late has been printed


def _open_on_report(known: Knowledge) -> MainWindow:
    from PySide6.QtCore import QTimer

    window = opened(known)

    def show_report() -> None:
        window.show_page("report")  # the page whose preview starts Qt WebEngine
        view = window.report.view()
        view.loadFinished.connect(lambda _ok: QTimer.singleShot(SETTLE_MS, window.close))

    QTimer.singleShot(0, show_report)
    return window


opened = app.open_window

if __name__ == "__main__":
    app.open_window = _open_on_report
    sys.exit(app.run_gui())
