"""HTML to PDF through Qt WebEngine (a real browser engine), headless; Qt is imported lazily."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from advisor.display import has_display, prepare_webengine
from advisor.errors import ExportError
from advisor.text import one_line

TIMEOUT_MS = 60_000
_APPLICATION: list[object] = []  # the Qt application made here, kept alive for later exports


def print_pdf(html: str, target: Path) -> None:
    """Lay out the HTML as A4 pages and write the PDF to target (the caller makes it atomic)."""
    prepare_webengine()
    if not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import qInstallMessageHandler

    # Qt's warnings about missing OpenGL, D-Bus or the sandbox are kept for the error
    # message, not printed at the user.
    messages: list[str] = []
    previous = qInstallMessageHandler(lambda _kind, _context, text: messages.append(text))
    try:
        # Loaded from a file, not handed over in memory: Qt WebEngine refuses in-memory
        # pages over 2 MB (with a misleading message), and a report with long raw
        # samples or a big answers file can be larger.
        with tempfile.TemporaryDirectory(prefix="framework-advisor-pdf-") as folder:
            page_file = Path(folder) / "report.html"
            page_file.write_text(html, encoding="utf-8")
            outcome = _print(page_file, target)
    except OSError as exc:  # the page could not be written: the temporary folder is full
        raise ExportError(f"the PDF's page cannot be staged ({exc.strerror})") from exc
    finally:
        qInstallMessageHandler(previous)
    if outcome == "printed":
        return
    if outcome == "could not print" and _nearly_full(target.parent, len(html)):
        raise ExportError("No space left on device (the PDF did not fit)")
    last = one_line(messages[-1]) if messages else "no message from Qt"
    raise ExportError(f"the PDF engine (Qt WebEngine) {outcome} ({last})")


def _nearly_full(folder: Path, wanted: int) -> bool:
    try:
        return shutil.disk_usage(folder).free < max(wanted, 1 << 20)
    except OSError:
        return False


def _print(page_file: Path, target: Path) -> str:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QMarginsF, Qt, QTimer, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWidgets import QApplication

    if QCoreApplication.instance() is None:
        # A widgets application, not a bare GUI one: a process can hold only one, and
        # the app's windows (or pytest-qt) may need widgets after a PDF was printed.
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        _APPLICATION.append(QApplication(["framework-advisor"]))
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
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return outcome[0]
