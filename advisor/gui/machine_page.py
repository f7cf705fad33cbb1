"""Machine: the hardware and framework inventory of a chosen Python environment."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from advisor.base.progress import Progress
from advisor.gui.jobs import Job
from advisor.gui.widgets import FOCUS_MARK, FailurePanel, WrapLabel, heading, note
from advisor.probing.environments import Environment
from advisor.record import Record
from advisor.session import Session, discover
from advisor.session.decisions import own_python
from advisor.wording.formatting import inventory_sections, local_time


class MachinePage(QWidget):
    """Choose an environment, probe it, show what was found and what failed."""

    probed = Signal(object)  # Record
    progress_changed = Signal(object)  # Progress while probing; None once it ended
    environment_changed = Signal(object)  # str | None: the interpreter path, None for ours

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session  # the window's: it probes under the app's name
        self.job: Job | None = None
        self._busy = False  # a probe runs (till its end is handled: its thread may linger)
        self._probing: str | None = None  # the interpreter the running (or last) probe is of
        self.environments = QComboBox()
        self.environments.addItem(_default_label(), None)
        self.environments.setAccessibleName("Python environment")
        self.environments.setStyleSheet(FOCUS_MARK)
        self.discovery: Job | None = None
        self.environments.currentIndexChanged.connect(self._environment_picked)
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Browse for a Python interpreter")
        browse.clicked.connect(self._browse)
        self.refresh = QPushButton("&Refresh")
        self.refresh.setAccessibleName("Probe the environment again")
        self.refresh.clicked.connect(self.start_probe)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Python environment:"))
        chooser.addWidget(self.environments, 1)
        chooser.addWidget(browse)
        chooser.addWidget(self.refresh)
        self.status = WrapLabel("Not probed yet.")
        self.status.setAccessibleName("Probe status")
        self.panel = FailurePanel()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["", "Value"])
        self.tree.setAccessibleName("Inventory")
        self.tree.setColumnWidth(0, 220)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Machine"))
        layout.addWidget(
            note(
                "The frameworks are probed in the Python environment chosen here, each in a "
                "subprocess of its own; the benchmarks run there too."
            )
        )
        layout.addLayout(chooser)
        layout.addWidget(self.status)
        layout.addWidget(self.panel)
        layout.addWidget(self.tree, 1)

    def python(self) -> str | None:
        """The chosen interpreter; None means the advisor's own Python."""
        value = self.environments.currentData()
        return str(value) if value else None

    def add_environment(self, python: str, select: bool = True) -> None:
        """Offer an interpreter (or venv folder) in the selector."""
        index = self.environments.findData(python)
        if index < 0:
            self.environments.addItem(python, python)
            index = self.environments.count() - 1
        if select:
            self.environments.setCurrentIndex(index)

    def discover_environments(self) -> None:
        """List this machine's Python environments (checked in subprocesses) in the selector."""
        if self.discovery is not None:
            return

        def work(_say: Callable[[object], None], cancel: threading.Event) -> object:
            return discover(cancel=cancel)

        self.discovery = Job(work, self)
        self.discovery.succeeded.connect(self._offer)
        self.discovery.failed.connect(lambda reason, _details: self._offer([]))
        self.discovery.start()

    def _offer(self, found: list[Environment]) -> None:
        own = str(own_python())
        model = self.environments.model()
        for environment in found:
            python = str(environment.candidate.python)
            if python == own or self.environments.findData(python) >= 0:
                continue
            self.environments.addItem(environment.label(), python)
            if environment.error:  # listed, so the user sees why, but not selectable
                item = model.item(self.environments.count() - 1)  # type: ignore[attr-defined]
                item.setEnabled(False)
                item.setToolTip(environment.error)

    def start_probe(self) -> None:
        """Probe the chosen environment on a worker thread."""
        if self._busy:
            return
        self._busy = True
        python = self._probing = self.python()
        self.panel.clear()
        self.refresh.setEnabled(False)
        self.status.setText("Probing…")

        def work(say: Callable[[object], None], cancel: threading.Event) -> Record:
            return self.session.probe(python, on_progress=say, on_step=say, cancel=cancel)

        self.job = Job(work, self)
        self.job.progress.connect(self._on_progress)
        self.job.succeeded.connect(self._probed)
        self.job.failed.connect(self._failed)
        self.job.start()

    def show_record(self, record: Record) -> None:
        """Show an inventory and flag each framework that could not be probed."""
        self.tree.clear()
        for title, rows in inventory_sections(record):
            section = QTreeWidgetItem([title])
            for label, value in rows:
                item = QTreeWidgetItem([label.strip(), value])
                item.setToolTip(1, value)
                section.addChild(item)
            self.tree.addTopLevelItem(section)
            section.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        failed = [p for p in record.frameworks if p.status != "ok"]
        if failed:
            reasons = "; ".join(f"{p.display_name}: {p.status.replace('_', ' ')}" for p in failed)
            details = "\n\n".join(
                f"{p.display_name} ({p.status}, {p.duration_s:.1f} s)\n{p.reason}"
                + (f"\nTo install: {p.install_hint}" if p.install_hint else "")
                for p in failed
            )
            self.panel.show_problem(f"Not every framework could be used: {reasons}", details)
        self.status.setText(
            f"Probed {local_time(record.created_at)} in Python {record.interpreter.version} "
            f"({record.interpreter.executable})"
        )

    def _on_progress(self, update: object) -> None:
        if isinstance(update, Progress):
            self.progress_changed.emit(update)
        else:
            self.status.setText(f"Probing: {update}")

    def _probed(self, record: Record) -> None:
        self._busy = False
        self.progress_changed.emit(None)
        self.refresh.setEnabled(True)  # ready again before anyone hears of the inventory
        self.probed.emit(record)  # the window shows it (show_record)
        self._probe_the_chosen()

    def _failed(self, reason: str, details: str) -> None:
        self._busy = False
        self.progress_changed.emit(None)
        self.refresh.setEnabled(True)
        self.status.setText("The probe did not finish.")
        self.panel.show_problem(reason, details)
        self._probe_the_chosen()

    def _probe_the_chosen(self) -> None:
        """Another environment was chosen while a probe ran: probe that one too, so the
        inventory shown is always the selector's."""
        if self._probing != self.python():
            self.start_probe()

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Choose a Python interpreter")
        if path:
            self.add_environment(path)

    def _environment_picked(self, _index: int) -> None:
        self.environment_changed.emit(self.python())
        self.start_probe()


def _default_label() -> str:
    python = own_python()
    if python is None:
        return "No Python found on PATH: browse to one"
    if getattr(sys, "frozen", False):
        return f"Python on PATH ({python})"
    return f"This Python ({python})"
