"""Screenshot of the questions page after "Read answers from a folder…" into docs/.

Usage: xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/scan_screenshot.py [FOLDER]
FOLDER defaults to the test fixture tests/fixtures/scan/torch_research. The user's own
answer to "existing code" is set first (TensorFlow), so the picture shows a kept answer
beside the ones filled in from the code. Nothing is probed or measured; a throwaway data
folder keeps the user's own session untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/fixtures/scan/torch_research"
    os.environ["FRAMEWORK_ADVISOR_DATA_DIR"] = tempfile.mkdtemp(prefix="advisor-shots-")
    from advisor.base.display import prepare_webengine

    prepare_webengine()
    from PySide6.QtWidgets import QApplication

    from advisor.gui.main_window import MainWindow
    from advisor.gui.theme import apply_scheme
    from advisor.scoring.answers import default_answers as fresh_answers
    from advisor.scoring.knowledge import knowledge
    from advisor.session.saved import SavedSession

    app = QApplication(sys.argv[:1])
    apply_scheme(app)
    known = knowledge()
    window = MainWindow(known, SavedSession(fresh_answers(known), None))
    window.resize(1280, 900)
    window.show()
    window.questions.control("team_experience", "pytorch").click()  # the user's own answer
    window.questions.control("training_scale", "multi_node").click()
    bar = window.questions.scan_bar
    bar.start(folder)
    deadline = time.monotonic() + 60
    while (bar.running() or not bar.pick_button.isEnabled()) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    for _ in range(50):
        app.processEvents()
        time.sleep(0.02)
    scroll = window.questions.box("hardware")
    scroll.parentWidget().parentWidget().parentWidget().ensureWidgetVisible(scroll)  # type: ignore[union-attr]
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    target = ROOT / "docs" / "app-questions-scan.png"
    window.grab().save(str(target))
    print(f"saved {target}")
    window.close()


if __name__ == "__main__":
    main()
