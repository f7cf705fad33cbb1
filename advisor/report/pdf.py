"""HTML to PDF through Qt WebEngine (a real browser engine), in a child process of its own.

The child (advisor/report/pdf_worker.py) prints one page to one file and exits. Qt's
event loop cannot be stopped cleanly from a signal handler, and Chromium can crash:
in a child, a stop signal, a crash or a hang costs the child (killed as a process
group, like every probe) and nothing else, and everything it writes lands in a
temporary folder that is removed when it ends. The advisor's own process never loads Qt.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from advisor.base.errors import CancelledError, ExportError
from advisor.base.text import one_line
from advisor.probing.runner import ProcessResult, run_process

# The child's own limit for loading and printing is 60 s (pdf_worker.TIMEOUT_MS); this
# one adds its start, which imports Qt WebEngine.
TIMEOUT_S = 90.0
WORKER_ARGUMENT = "--print-pdf-worker"  # how a frozen app is told to be the child


def print_pdf(html: str, target: Path, cancel: threading.Event | None = None) -> None:
    """Lay out the HTML as A4 pages and write the PDF to target (the caller makes it atomic).

    ``cancel`` (or Ctrl-C) kills the printer and raises CancelledError.
    """
    try:
        # Loaded from a file, not handed over in memory: Qt WebEngine refuses in-memory
        # pages over 2 MB (with a misleading message), and a report with long raw
        # samples or a big answers file can be larger.
        with tempfile.TemporaryDirectory(prefix="framework-advisor-pdf-") as folder:
            page_file = Path(folder) / "report.html"
            page_file.write_text(html, encoding="utf-8")
            argv = [*worker_command(), str(page_file), str(target)]
            result = run_process(argv, TIMEOUT_S, env=_worker_environment(folder), cancel=cancel)
    except OSError as exc:  # the page could not be written: the temporary folder is full
        raise ExportError(f"the PDF's page cannot be staged ({exc.strerror})") from exc
    if result.cancelled:
        raise CancelledError("cancelled by the user while printing the PDF")
    outcome, message = _outcome(result)
    if outcome == "printed":
        return
    if outcome == "could not print" and _nearly_full(target.parent, len(html)):
        raise ExportError("No space left on device (the PDF did not fit)")
    raise ExportError(f"the PDF engine (Qt WebEngine) {outcome} ({message})")


def worker_command() -> list[str]:
    """How to start the printing child: this interpreter, or the frozen app itself."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_ARGUMENT]
    return [sys.executable, "-m", "advisor.report.pdf_worker"]


def _worker_environment(folder: str) -> dict[str, str]:
    # Printing needs no screen: offscreen works whatever DISPLAY says (a broken one
    # makes Qt abort). Chromium's own temporary files go to the folder removed at the end.
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=folder)


def _outcome(result: ProcessResult) -> tuple[str, str]:
    """What the child said it did, and Qt's last message; a crash or a hang says so."""
    failure = result.failure_reason(TIMEOUT_S)
    try:
        said = json.loads(result.stdout)
        return str(said["outcome"]), one_line(str(said["message"])) or "no message from Qt"
    except (ValueError, KeyError, TypeError):
        return "failed", failure or "it said nothing"


def _nearly_full(folder: Path, wanted: int) -> bool:
    try:
        return shutil.disk_usage(folder).free < max(wanted, 1 << 20)
    except OSError:
        return False
