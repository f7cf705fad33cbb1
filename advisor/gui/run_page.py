"""What the Benchmarks and Deployment pages share: one job at a time on a worker thread,
Start and Cancel, a status line, a failure panel and a results table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QWidget

from advisor.gui.jobs import Job, Work
from advisor.gui.widgets import FailurePanel
from advisor.record import Record
from advisor.session import Session

NOT_RUN = "Not run yet."
APP_COMMAND = "framework-advisor gui"  # what a record measured in the app says measured it


class RunPage(QWidget):
    """A page that runs a measuring job; subclasses build the widgets and say what runs.

    A subclass sets `run_kind`, `start_button`, `cancel_button`, `status`, `panel` and
    `table`, puts `partial_button` in its row of buttons, and lists in
    `_locked_while_running` the widgets that choose what runs.
    """

    busy_changed = Signal(bool)  # a run started (True) or ended (False)
    progress_changed = Signal(object)  # Progress during a run; None once it ended
    finished_run = Signal(object)  # Record, possibly with partial (cancelled) results
    # Record: the user chose whose run of `run_kind` is weighed, the cancelled one held
    # back or the one it would replace (a second click takes the choice back).
    run_chosen = Signal(object)

    run_kind: str  # the record's run this page measures: "benchmarks" or "deployment"

    start_button: QPushButton
    cancel_button: QPushButton
    status: QLabel
    panel: FailurePanel
    table: QTableWidget

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session  # the window's: it runs the work under the app's name
        self.job: Job | None = None
        self.python: str | None = None  # the interpreter whose frameworks run
        self.partial: Record | None = None  # a cancelled run held back beside the weighed one
        self._weighed: Record | None = None  # the record whose run the partial one would replace
        self.partial_used = False  # the user chose the partial run
        self.partial_button = QPushButton()
        self.partial_button.clicked.connect(self._swap)
        self.partial_button.hide()

    def hold_partial(self, partial: Record | None, weighed: Record | None = None) -> None:
        """Keep a cancelled run beside `weighed`, the record whose run is weighed instead
        (None: nothing offered any more)."""
        self.partial, self._weighed, self.partial_used = partial, weighed, False
        self._offer()

    def _offer(self) -> None:
        self.partial_button.setVisible(self.partial is not None)
        if not self.partial_used:
            self.partial_button.setText("Use the &partial run")
        elif self._weighed is not None and getattr(self._weighed, self.run_kind) is not None:
            self.partial_button.setText("Use the comp&lete run")
        else:
            self.partial_button.setText("&Leave the partial run out")

    def _swap(self) -> None:
        """Weigh the partial run, or, clicked again, the one it replaced."""
        if self.partial is None or self._weighed is None:
            return
        self.partial_used = not self.partial_used
        self._offer()
        self.run_chosen.emit(self.partial if self.partial_used else self._weighed)

    def running(self) -> bool:
        """Whether a job is running now."""
        return self.job is not None and self.job.running()

    def cancel(self) -> None:
        """Stop the run; what finished so far is kept."""
        if self.job is not None:
            self.status.setText("Cancelling…")
            self.job.cancel()

    def showEvent(self, event: QShowEvent) -> None:
        """Rows sized while the page was hidden get their height for the real width."""
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def _run(self, work: Work, on_event: Callable[[Any], None]) -> None:
        """Start `work` on a worker thread, its progress to `on_event`; the window stays
        responsive."""
        self.hold_partial(None)  # a new run: the partial one before it is no longer offered
        self.job = Job(work, self)

        def relay(event: Any) -> None:
            if event.kind == "progress":
                self.progress_changed.emit(event.progress)
            else:
                on_event(event)

        self.job.progress.connect(relay)
        self.job.succeeded.connect(self._succeeded)
        self.job.failed.connect(self._failed)
        self._busy(True)
        self.job.start()

    def _locked_while_running(self) -> list[QWidget]:
        return []

    def _succeeded(self, record: Record) -> None:
        self._busy(False)  # idle before anyone hears of the run
        self.finished_run.emit(record)  # the window shows it (show_record)

    def _failed(self, reason: str, details: str) -> None:
        self._busy(False)
        self.status.setText("The run did not finish.")
        self.panel.show_problem(reason, details)

    def _busy(self, busy: bool) -> None:
        if not busy:
            self.progress_changed.emit(None)
        self.busy_changed.emit(busy)
        self.start_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        for widget in self._locked_while_running():
            widget.setEnabled(not busy)
