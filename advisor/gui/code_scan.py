"""Answers from the user's code: pick a folder, scan it off the GUI thread, say what came."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from advisor.gui.jobs import Job
from advisor.gui.widgets import note
from advisor.scan.propose import Findings
from advisor.session.decisions import scan_code

PICK_TITLE = "Read answers from a folder"


class CodeScanBar(QWidget):
    """'Read answers from a folder…', then progress and Cancel, then what was found."""

    scanned = Signal(object)  # Findings, when a scan finished (not cancelled)
    use_code = Signal()  # the user asked for the code's answers over their own

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: Job | None = None
        self.folder: Path | None = None
        self.pick_button = QPushButton("Read answers from a folder…")
        self.pick_button.setToolTip(
            "Reads your project's code, dependency files and configs (never runs or "
            "changes them) and fills in the answers they show, marked (from your code)."
        )
        self.pick_button.clicked.connect(self.pick)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Reading your code")
        self.progress.setMaximumWidth(200)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.outcome = note("")
        self.outcome.setAccessibleName("What was read from your code")
        self.use_button = QPushButton("Use the code's answers for these too")
        self.use_button.clicked.connect(self._use_code)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.pick_button, self.progress, self.cancel_button):
            row.addWidget(widget)
        row.addStretch()
        ask = QHBoxLayout()
        ask.setContentsMargins(0, 0, 0, 0)
        ask.addWidget(self.use_button)
        ask.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        layout.addLayout(ask)
        self._idle()
        self.outcome.hide()

    def pick(self) -> None:
        """Ask for a folder, then scan it."""
        chosen = QFileDialog.getExistingDirectory(self, PICK_TITLE, str(self.folder or Path.home()))
        if chosen:
            self.start(Path(chosen))

    def start(self, folder: Path) -> None:
        """Scan ``folder`` on a worker thread; progress and Cancel show meanwhile."""
        if self.job is not None and self.job.running():
            return
        self.folder = folder

        def work(report: Callable[[object], None], cancel: threading.Event) -> Findings:
            # One process: forking from a thread of a Qt app is unsafe.
            return scan_code([folder], False, lambda d, t: report((d, t)), cancel, workers=1)

        self.job = Job(work, self)
        self.job.progress.connect(self._progress)
        self.job.succeeded.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.pick_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the files are counted
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.use_button.hide()
        self._say(f"Reading {folder}…")
        self.job.start()

    def cancel(self) -> None:
        """Stop the scan; the answers stay as they are."""
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)

    def running(self) -> bool:
        """Whether a scan is under way."""
        return self.job is not None and self.job.running()

    def show_outcome(self, findings: Findings, kept: list[str]) -> None:
        """Say what the scan filled in, and which of the user's own answers it left alone."""
        result = findings.result
        filled = len(findings.proposals) - len(kept)
        text = (
            f"Read {result.files} files in {self.folder or result.roots[0]}: "
            f"{filled} answers filled in from your code (hover one for its evidence)."
            if findings.proposals
            else f"Read {result.files} files: no framework code or deployment signs found."
        )
        if findings.suggestions:
            musts = ", ".join(s.requirement for s in findings.suggestions)
            text += f" Must-haves to consider (not ticked): {musts}."
        if kept:
            text += " Kept your own answers to: " + "; ".join(q.rstrip("?") for q in kept) + "."
        self._say(text)
        self.use_button.setVisible(bool(kept))

    def clear(self) -> None:
        """Forget the last scan's outcome: the answers it filled in were reset."""
        self.outcome.hide()
        self.outcome.setToolTip("")
        self.use_button.hide()

    def _progress(self, update: object) -> None:
        if isinstance(update, tuple):
            done, total = update
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)

    def _finished(self, findings: object) -> None:
        self._idle()
        assert isinstance(findings, Findings)
        if findings.result.cancelled:
            self._say("Cancelled: no answers changed.")
            return
        self.scanned.emit(findings)

    def _failed(self, reason: str, details: str) -> None:
        self._idle()
        self._say(f"Could not read the folder: {reason}")
        self.outcome.setToolTip(details)

    def _use_code(self) -> None:
        self.use_button.hide()
        self.use_code.emit()

    def _idle(self) -> None:
        self.pick_button.setEnabled(True)
        self.progress.hide()
        self.cancel_button.hide()
        self.use_button.hide()

    def _say(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.show()
