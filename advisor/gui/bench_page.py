"""Benchmarks: run the suite with live rows per workload, cancel it, keep what finished."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from advisor.base.errors import AdvisorError
from advisor.bench.events import BenchEvent
from advisor.bench.run import BenchOptions
from advisor.comparison import Comparison
from advisor.gui.live_bench import LiveRows, LiveRun, ratio_lines, with_live_rows
from advisor.gui.model_picker import ModelChoice, ModelPicker
from advisor.gui.ratio_chart import RatioChart
from advisor.gui.run_page import NOT_RUN, RunPage
from advisor.gui.widgets import FailurePanel, WrapLabel, heading, note, read_only_table
from advisor.record import BenchmarkRun, Record
from advisor.report.fleet_view import FleetView, MachineColumn
from advisor.session import Session
from advisor.session.decisions import workloads
from advisor.session.machines import THIS_MACHINE
from advisor.usermodel import ModelRef
from advisor.wording.bench_view import ratio_bars
from advisor.wording.durations import expected_bench
from advisor.wording.formatting import busy_note, duration_words, framework_name, local_time
from advisor.wording.model_view import ModelBenchView, model_bench_view

TORCH, TENSORFLOW = framework_name("torch"), framework_name("tensorflow")
COLUMNS = ("Workload", TORCH, TENSORFLOW, f"{TORCH} / {TENSORFLOW}")
CHART_CAPTION = f"{TORCH}/{TENSORFLOW} speed per workload (log scale; whiskers: 95% interval)"
LIVE_CAPTION = CHART_CAPTION + ", live: provisional until the run ends"
FRAMEWORK_COLUMN = {"torch": 1, "tensorflow": 2}
MODEL_COLUMNS = ("Back-end", "Variant", "Batch", "First call", "Latency [p10-p90], throughput")
SIZES = (("quick", "&Quick"), ("full", "F&ull"))
LIVE_RATIO_TIP = "Provisional until the run ends: from the passes timed so far"


class BenchPage(RunPage):
    """Quick or full run, one row per workload, live figures, Cancel."""

    _timing_model = False  # the running job times the user's model, not the suite
    run_kind = "benchmarks"

    def __init__(
        self, session: Session, choice: ModelChoice | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        self.preset = "quick"
        self.model, self.model_table, self.model_ratios = _model_widgets(choice)
        self.live = LiveRun(())  # what the running (or shown) run has said, case by case
        self.ran = self.live  # what the last run said while it ran (which cases had every pass)
        self._rows: dict[str, int] = {}
        self.sizes = QButtonGroup(self)
        self.size_buttons: dict[str, QRadioButton] = {}
        size_row = self._size_row()
        self.start_button = QPushButton("&Start benchmarks")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.partial_button.setToolTip(
            "Weigh the cancelled run's finished workloads instead of the last complete run"
        )
        self._started = 0.0  # when the running job started (monotonic seconds)
        size_row.addStretch()
        size_row.addWidget(self.partial_button)
        size_row.addWidget(self.start_button)
        size_row.addWidget(self.cancel_button)
        self.status = WrapLabel(NOT_RUN)
        self.status.setAccessibleName("Benchmark status")
        self.busy_notice = _busy_notice()
        self.panel = FailurePanel()
        self.table = _table()
        self._lay_out(size_row)
        self.fleet_note = note("")
        self.fleet_note.setAccessibleName("Which machine counts")
        self.fleet_table = _fleet_table()
        self.fleet = _note_over_table(self.fleet_note, self.fleet_table)
        self._reset_rows(self.preset)

    def _lay_out(self, size_row: QHBoxLayout) -> None:
        """The page from the top: what it does, the controls, the run's state, the results."""
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Benchmarks"))
        layout.addWidget(
            note(
                "The same workloads in both frameworks, each in its own process, taking turns. "
                "Figures are medians (hover a cell for the p10-p90 spread, dispersion and sample "
                "count); ratios say which framework is faster. You can keep answering "
                "questions while this runs."
            )
        )
        layout.addLayout(size_row)
        layout.addWidget(self.model)
        layout.addWidget(self.status)
        layout.addWidget(self.busy_notice)
        layout.addWidget(self.panel)
        layout.addWidget(self.model_table, 1)
        layout.addWidget(self.model_ratios)
        self.chart = RatioChart()
        # This machine's results and, once other machines are added, theirs: one tab each,
        # so neither squeezes the other in a small window (the tab bar hides with one).
        self.results = QTabWidget()
        self.results.setTabBarAutoHide(True)
        self.results.setDocumentMode(True)
        self.results.addTab(_table_over_chart(self.table, self.chart), "This machine")
        layout.addWidget(self.results, 1)

    def _size_row(self) -> QHBoxLayout:
        """Quick and Full, each saying how long it should take."""
        row = QHBoxLayout()
        for preset, _label in SIZES:
            button = QRadioButton()
            button.setAccessibleName(f"{preset} benchmark size")
            button.setChecked(preset == "quick")
            button.toggled.connect(functools.partial(self._preset_toggled, preset))
            self.sizes.addButton(button)
            self.size_buttons[preset] = button
            row.addWidget(button)
        self.say_durations(None)
        return row

    def start(self) -> None:
        """Run the chosen preset on a worker thread; the window stays responsive."""
        if self.running():
            return
        try:
            model = self.model.choice.ref()
        except AdvisorError as exc:
            self.panel.show_problem(str(exc))
            return
        if model is not None:
            self._start_model(model)
            return
        options, python = BenchOptions(self.preset), self.python
        self._reset_rows(self.preset)
        self.panel.clear()
        self._started = time.monotonic()
        self.status.setText("Starting…")

        known = list(self.live.workloads.values())

        def work(report: Callable[[object], None], cancel: threading.Event) -> Record:
            listen = with_live_rows(report, known)
            return self.session.measure(python, options, listen, cancel)

        self._run(work, self._on_event)

    def _start_model(self, model: ModelRef) -> None:
        """Time the user's model (bench --model); its results stay on this page."""
        preset, python = self.preset, self.python
        self.panel.clear()
        self.model_table.setRowCount(0)
        self.model_table.show()
        self.model_ratios.hide()
        self.status.setText("Starting…")
        self._timing_model = True

        def work(report: Callable[[object], None], cancel: threading.Event) -> Record:
            return self.session.measure(python, BenchOptions(preset), report, cancel, model)

        self._run(work, self._on_event)

    def _succeeded(self, record: Record) -> None:
        if not self._timing_model:
            self.ran = self.live  # before the record shown in its place resets the rows
            super()._succeeded(record)
            return
        self._timing_model = False
        self._busy(False)
        if record.benchmarks is not None:
            self._show_model(record.benchmarks)

    def _failed(self, reason: str, details: str) -> None:
        self._timing_model = False
        super()._failed(reason, details)

    def _show_model(self, run: BenchmarkRun) -> None:
        view = model_bench_view(run)
        self.model_table.setRowCount(0)
        for row in view.rows:
            figures = f"{row.latency} {row.spread}\n{row.throughput}"
            cells = (row.backend, row.variant, row.batch, row.first_call, row.problem or figures)
            index = self.model_table.rowCount()
            self.model_table.insertRow(index)
            for column, text in enumerate(cells):
                self.model_table.setItem(index, column, QTableWidgetItem(text))
        self.model_table.resizeRowsToContents()
        self.model_ratios.setText(_back_end_lines(view))
        self.model_ratios.setVisible(bool(view.ratios or view.parity))
        extra = "; ".join((*view.memory, *view.failures))
        self.status.setText(f"Your model: {view.model}. {extra}".strip())

    def say_durations(self, record: Record | None) -> None:
        """Each size with how long it should take in the environment `record` probed."""
        for preset, label in SIZES:
            expected = expected_bench(preset, record)
            words = duration_words(expected.low_s, expected.high_s)
            button = self.size_buttons[preset]
            button.setText(f"{label} ({words})")
            button.setToolTip(
                "From this machine's last benchmark run"
                if expected.known
                else "No benchmark has run here yet: a first run's imports and compiles "
                "take longest, so this is a range"
            )

    def show_record(self, record: Record, comparison: Comparison | None) -> None:
        """Fill the table from a finished (or restored) run and its comparison."""
        if not self.running():
            self.say_durations(record)
        run = record.benchmarks
        if run is None or comparison is None:
            if not self.running():  # another environment, not run there: nothing of this one
                self._reset_rows(self.preset)
                self.status.setText(NOT_RUN)
            return
        self._reset_rows(run.preset)
        for suite_result in run.suites:
            for case in suite_result.cases:
                self.live.landed(suite_result.framework, case, final=True)
                self._show_cell(suite_result.framework, case.workload)
        # every pair and precision: one may favour the other side
        for workload, text in ratio_lines(comparison.rows).items():
            self._set(workload, 3, text)
        self.chart.show_bars(ratio_bars(comparison.rows), CHART_CAPTION)
        busy = busy_note(comparison)
        self.busy_notice.setText(busy or "")
        self.busy_notice.setVisible(busy is not None)
        self.table.resizeRowsToContents()
        state = "cancelled: partial results" if run.cancelled else "finished"
        self.status.setText(
            f"{run.preset} run {state}, {run.wall_time_s:.0f} s on {run.device} "
            f"({run.device_name}), {run.threads} threads"
        )
        # A cancel is the user's own choice: said in the status line, not as a failure.
        problems = [
            f"{s.display_name}: {s.reason}"
            for s in run.suites
            if s.status not in ("ok", "cancelled")
        ]
        if problems:
            self.panel.show_problem("Not every suite ran: " + "; ".join(problems))

    def show_kept_complete(self, partial: Record, complete: Record) -> None:
        """After a cancel: the last complete run is shown and weighed; the partial one waits."""
        full, timed = self.ran.timed_in_full(partial)
        kept = complete.benchmarks
        assert kept is not None
        self.status.setText(
            f"Cancelled after {self._elapsed():.0f} s: {full} of the {timed} cases timed had "
            f"all their passes. Shown and weighed: the last complete run ({kept.preset}, "
            f"{local_time(kept.started_at)}); the partial run is kept beside it."
        )
        self.hold_partial(partial, complete)

    def _elapsed(self) -> float:
        return time.monotonic() - self._started if self._started else 0.0

    def show_fleet(self, view: FleetView | None) -> None:
        """The machines compared (File > Add results from another machine), or nothing;
        their tab is shown when it first appears."""
        index = self.results.indexOf(self.fleet)
        if view is None:
            if index >= 0:
                self.results.removeTab(index)
            return
        if index < 0:
            self.results.addTab(self.fleet, "Other machines")
            self.results.setCurrentWidget(self.fleet)
        self.fleet_note.setText(" ".join((view.why, *view.warnings, *view.notes)))
        labels = ["Workload", *map(_machine_header, view.machines)]
        self.fleet_table.setColumnCount(len(labels))
        self.fleet_table.setHorizontalHeaderLabels(labels)
        self.fleet_table.setRowCount(len(view.rows))
        for index, row in enumerate(view.rows):
            cells = [f"{row.workload} ({row.pair})", *row.cells]
            for column, text in enumerate(cells):
                self.fleet_table.setItem(index, column, QTableWidgetItem(text))
        self.fleet_table.resizeRowsToContents()

    def _reset_rows(self, preset: str) -> None:
        self.live = LiveRun(workloads(preset))
        self._rows = {workload: row for row, workload in enumerate(self.live.workloads)}
        self.chart.show_bars((), CHART_CAPTION)
        self.busy_notice.hide()
        self.table.setRowCount(len(self._rows))
        for workload, row in self._rows.items():
            self.table.setItem(row, 0, QTableWidgetItem(self.live.workloads[workload].title))
            for column in (1, 2, 3):
                self.table.setItem(row, column, QTableWidgetItem("-"))

    def _on_event(self, event: BenchEvent | LiveRows) -> None:
        """Each case shows the moment it is heard of, and the status line follows the run."""
        if isinstance(event, LiveRows):
            self.live.set_rows(event)
            self._show_live_ratios(event.workload)
        elif event.kind == "message":
            self.status.setText(event.message)
        elif event.kind == "case_started" and event.workload in self._rows:
            said = self.live.started(event.framework, event.workload, event.variant, event.dtype)
            self._show_cell(event.framework, event.workload)
            self.status.setText(said)
        elif event.kind in ("case_updated", "case_finished") and event.case is not None:
            said = self.live.landed(event.framework, event.case, event.kind == "case_finished")
            if said:
                self._show_cell(event.framework, event.case.workload)
                self.status.setText(said)

    def _show_live_ratios(self, workload: str) -> None:
        """The workload's ratio cell and the chart, from the figures so far (the others stand)."""
        text = ratio_lines(self.live.rows(workload)).get(workload, "-")
        self._set(workload, 3, text, f"{text}\n\n{LIVE_RATIO_TIP}")
        self.chart.show_bars(ratio_bars(self.live.all_rows()), LIVE_CAPTION)

    def _show_cell(self, framework: str, workload: str) -> None:
        """The median of each case; the spread, dispersion and count are in the tooltip."""
        if framework in FRAMEWORK_COLUMN and workload in self._rows:
            shown, details = self.live.cell(framework, workload)
            self._set(workload, FRAMEWORK_COLUMN[framework], shown, details)

    def _set(self, workload: str, column: int, text: str, details: str = "") -> None:
        item = QTableWidgetItem(text)
        item.setToolTip(details or text)
        self.table.setItem(self._rows[workload], column, item)
        self.table.resizeRowToContents(self._rows[workload])

    def _locked_while_running(self) -> list[QWidget]:
        return [*self.sizes.buttons(), self.model]

    def _preset_toggled(self, preset: str, on: bool) -> None:
        if on:
            self.preset = preset


def _table_over_chart(table: QTableWidget, chart: RatioChart) -> QSplitter:
    """The table above the chart; the user shares the height out, and the chart scrolls
    when its share is too small for it (two thirds to the table to start with)."""
    return _stacked(table, _scrolling(chart), (2000, 1000))


def _note_over_table(text: QWidget, table: QTableWidget) -> QSplitter:
    """Other machines: which one counts and why, over their table; the note scrolls, so a
    long one never pushes the table out of a small window."""
    return _stacked(_scrolling(text), table, (1000, 3000))


def _scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area that resizes it."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def _stacked(top: QWidget, bottom: QWidget, shares: tuple[int, int]) -> QSplitter:
    """`top` over `bottom` in a splitter that never collapses either, sharing the height
    out as `shares` to start with (scaled to the height)."""
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(top)
    split.addWidget(bottom)
    split.setChildrenCollapsible(False)
    split.setSizes(list(shares))
    return split


def _machine_header(machine: MachineColumn) -> str:
    """'Intel(R) Xeon(R) Processor (this machine, counted)'."""
    said = [
        THIS_MACHINE if machine.source == THIS_MACHINE else "",
        "counted" if machine.counted else "",
    ]
    marks = ", ".join(word for word in said if word)
    return f"{machine.label} ({marks})" if marks else machine.label


def _fleet_table() -> QTableWidget:
    table = read_only_table(["Workload"], "Other machines: PyTorch/TensorFlow speed per machine")
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def _model_widgets(choice: ModelChoice | None) -> tuple[ModelPicker, QTableWidget, WrapLabel]:
    """ "Your model…", its results' table and a Keras model's ratios (hidden until it runs)."""
    table = read_only_table(list(MODEL_COLUMNS), "Your model's benchmark")
    header = table.horizontalHeader()
    header.setSectionResizeMode(len(MODEL_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
    table.hide()
    ratios = WrapLabel()
    ratios.setAccessibleName("Your model on each back-end: speed and numerics")
    ratios.hide()
    return ModelPicker(choice or ModelChoice()), table, ratios


def _back_end_lines(view: ModelBenchView) -> str:
    """A Keras model's back-ends against each other: one line per batch and pair, then
    each back-end's parity check."""
    lines = [f"{TORCH} / {TENSORFLOW}, the same model on both back-ends:"] if view.ratios else []
    lines += [
        f"batch {r.batch}, {r.pair}{f' ({r.forms})' if r.forms else ''}: {r.words}"
        for r in view.ratios
    ]
    lines += view.parity
    return "\n".join(lines)


def _busy_notice() -> WrapLabel:
    """Where a busy machine is said, above the ratios it skewed (hidden on a quiet run)."""
    label = WrapLabel()
    label.setAccessibleName("Busy machine")
    label.setObjectName("busyNotice")
    # Qt draws one side's border only after "border" itself is set
    label.setStyleSheet("#busyNotice { border: 0; border-left: 4px solid #bf8700; padding: 4px; }")
    label.hide()
    return label


def _table() -> QTableWidget:
    table = read_only_table(list(COLUMNS), "Benchmark results")
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    table.setColumnWidth(0, 170)  # titles wrap: the figures and ratios need the width more
    # The ratio column holds a line per pair; it shares the width (and wraps) with the
    # figures rather than starving them in a small window.
    for column in (1, 2, 3):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table
