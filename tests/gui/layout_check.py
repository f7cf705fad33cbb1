"""The main window at a small size with everything hostile a record can hold, every page shown.

Run in-process by tests/gui/test_layout.py, and as a script under QT_SCALE_FACTOR=2 for
200 % (Qt reads the scale once, when the application starts):

    QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=2 python -m tests.gui.layout_check 1000 650
    QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json QT_SCALE_FACTOR=2 \
        python -m tests.gui.layout_check fit

prints one JSON object: the device pixel ratio, the window's size and minimum, and for
each page its minimum size, the widest widget on it and the scroll areas that show a
horizontal scroll bar; with `fit`, the window keeps the size it chose for its screen, and
the screen's free area, the window's frame and its status bar are printed too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
from typing import Any

from advisor.record import GpuInfo, GpuInventory, Record, record_from_json, record_to_json
from tests.helpers import FIXTURES, hostile_strings

BROKEN_PROBE_TEXT = "x" * 1_000_000  # one megabyte with nowhere to break a line
LONG_CPU = "Intel(R) Xeon(R) Platinum 8480+ Engineering Sample QS (Sapphire Rapids) " * 6


def hostile_record() -> Record:
    """A bench and a deployment run whose free text is a megabyte, 16 GPUs, a long CPU
    name; through JSON, as a broken probe's output or a hand-edited file arrives."""
    from advisor.session.runs import combined

    bench = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    deploy = record_from_json((FIXTURES / "records" / "deploy_tiny_cpu.json").read_text())
    record = hostile_strings(combined(bench, deploy), BROKEN_PROBE_TEXT)
    gpus = tuple(
        GpuInfo(i, f"NVIDIA H200 NVL {LONG_CPU}", 150 * 1024**3, 149 * 1024**3, "9.0", 700.0,
                1980, 5, 16)
        for i in range(16)
    )  # fmt: skip
    machine = record.machine
    cpu = dataclasses.replace(machine.cpu, model=LONG_CPU)
    machine = dataclasses.replace(machine, cpu=cpu, gpu=GpuInventory(gpus))
    return record_from_json(record_to_json(dataclasses.replace(record, machine=machine)))


def check(window: Any, app: Any, width: int = 0, height: int = 0) -> dict[str, Any]:
    """Show `window` at width x height (0: as it sized itself) with the hostile record on
    every page; what fit."""
    from PySide6.QtWidgets import QScrollArea, QWidget

    if width and height:
        window.resize(width, height)
    window.set_record(hostile_record())
    pages = []
    from advisor.gui.main_window import PAGES

    for shown in PAGES:
        window.show_page(shown.name)
        app.processEvents()
        page = getattr(window, shown.name)
        widgets = [w for w in page.findChildren(QWidget) if w.isVisibleTo(page)]
        widest = max(widgets, key=lambda w: w.minimumSizeHint().width())
        pages.append(
            {
                "page": shown.title,
                "minimum": list(page.minimumSizeHint().toTuple()),
                "widest": [type(widest).__name__, widest.accessibleName(),
                           widest.minimumSizeHint().width()],
                "side_scrolled": [area.accessibleName() for area in page.findChildren(QScrollArea)
                                  if area.horizontalScrollBar().isVisible()],
            }
        )  # fmt: skip
    bar = window.statusBar()
    return {
        "device_pixel_ratio": window.devicePixelRatio(),
        "screen": list(window.screen().availableGeometry().getRect()),
        "frame": list(window.frameGeometry().getRect()),
        "status_bar": [bar.isVisible(), *bar.geometry().getRect()],
        "size": list(window.size().toTuple()),
        "minimum": list(window.minimumSizeHint().toTuple()),
        "stack": list(window.stack.size().toTuple()),
        "pages": pages,
    }


def main() -> None:
    width, height = (0, 0) if sys.argv[1] == "fit" else (int(sys.argv[1]), int(sys.argv[2]))
    with tempfile.TemporaryDirectory(prefix="advisor-layout-") as data:  # removed at the end
        os.environ["FRAMEWORK_ADVISOR_DATA_DIR"] = data
        _show_and_check(width, height)


def _show_and_check(width: int, height: int) -> None:
    from advisor.base.display import prepare_webengine

    prepare_webengine()
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    from advisor.gui.main_window import MainWindow
    from advisor.scoring.answers import default_answers
    from advisor.scoring.knowledge import knowledge
    from advisor.session.saved import SavedSession

    window = MainWindow(knowledge(), SavedSession(default_answers(knowledge()), None))
    window.show()
    app.processEvents()  # the window fits itself to its screen once shown
    print(json.dumps(check(window, app, width, height)))
    window.close()


if __name__ == "__main__":
    main()
