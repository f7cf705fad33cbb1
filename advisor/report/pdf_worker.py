"""The PDF printer's child process: one HTML file laid out as A4 pages by Qt WebEngine.

Started by advisor.report.pdf as ``python -m advisor.report.pdf_worker PAGE TARGET``
(a frozen app: ``framework-advisor --print-pdf-worker PAGE TARGET``). It prints one
JSON line on stdout, ``{"outcome": ..., "message": Qt's last message}``, and exits 0
when the PDF is written.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from advisor.base.display import prepare_webengine

TIMEOUT_MS = 60_000


def main(argv: Sequence[str]) -> NoReturn:
    """Print argv[0] (an HTML file) to argv[1] (a PDF); exit 0 when printed."""
    page, target = Path(argv[0]), Path(argv[1])
    prepare_webengine()
    from PySide6.QtCore import qInstallMessageHandler

    # Qt's warnings about missing OpenGL, D-Bus or the sandbox are kept for the error
    # message, not printed at the user.
    messages: list[str] = []
    qInstallMessageHandler(lambda _kind, _context, text: messages.append(text))
    outcome = _print(page, target)
    sys.stdout.write(json.dumps({"outcome": outcome, "message": messages[-1] if messages else ""}))
    sys.stdout.flush()
    # Chromium's teardown at exit can crash after a good print: the file is written.
    os._exit(0 if outcome == "printed" else 1)


def _print(page_file: Path, target: Path) -> str:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QMarginsF, Qt, QTimer, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    _application = QApplication(["framework-advisor"])
    page, loop = QWebEnginePage(), QEventLoop()
    outcome = ["timed out"]
    layout = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(12, 12, 12, 12),
        QPageLayout.Unit.Millimeter,
    )

    def loaded(ok: bool) -> None:
        if ok:
            page.printToPdf(str(target), layout)
        else:
            outcome[0] = "did not load the report"
            loop.quit()

    def printed(_path: str, ok: bool) -> None:
        outcome[0] = "printed" if ok else "could not print"
        loop.quit()

    page.loadFinished.connect(loaded)
    page.pdfPrintingFinished.connect(printed)
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    page.load(QUrl.fromLocalFile(str(page_file)))
    loop.exec()
    return outcome[0]


if __name__ == "__main__":
    main(sys.argv[1:])
