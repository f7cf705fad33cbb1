"""Deployment paths: try each framework's routes for the targets answered, live, cancellable."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from advisor.base.errors import AdvisorError
from advisor.deploy.run import DeployEvent, DeployOptions
from advisor.gui.model_picker import ModelChoice, ModelPicker
from advisor.gui.run_page import NOT_RUN, RunPage
from advisor.gui.widgets import FailurePanel, WrapLabel, heading, note, read_only_table
from advisor.record import Record, RouteResult
from advisor.session import Session
from advisor.session.decisions import deploy_targets
from advisor.wording.deploy_view import model_words, route_row
from advisor.wording.durations import expected_deploy
from advisor.wording.formatting import duration_words, local_time

COLUMNS = ("Framework", "Route", "Result", "Per model")
PRESETS = (
    ("quick", "&Quick", "Every route but the slow ones, at the benchmark's quick sizes"),
    (
        "full",
        "F&ull",
        "Adds the slow routes (AOTInductor compiles C++ for each model) and times each "
        "model longer",
    ),
)


class DeployPage(RunPage):
    """Targets (from the answers, editable), quick or full, Start and Cancel, one row per
    route."""

    run_kind = "deployment"

    def __init__(
        self, session: Session, choice: ModelChoice | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, parent)
        self.preset = "quick"
        self.model = ModelPicker(choice or ModelChoice())
        self.presets = QButtonGroup(self)
        self.preset_buttons: dict[str, QRadioButton] = {}
        self.targets: dict[str, QCheckBox] = {}
        self._answered: tuple[str, ...] = ()  # the targets the answers named, last heard
        self._rows: dict[str, int] = {}
        target_row = self._target_row()
        self.start_button = QPushButton("&Try the routes")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Ca&ncel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = self._preset_row()  # a row of their own: the targets need the width
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch()
        self.partial_button.setToolTip(
            "Weigh the cancelled run's finished routes: the routes it did not reach count "
            "neither way"
        )
        buttons.addWidget(self.partial_button)
        self.status = WrapLabel(NOT_RUN)
        self.status.setAccessibleName("Deployment status")
        self.panel = FailurePanel()
        self.table = _table()
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Deployment paths"))
        layout.addWidget(
            note(
                "Each route exports the benchmark's small MLP and CNN, loads the file in a "
                "fresh process with only the route's runtime, checks it reproduces the "
                "framework's own output and times batch-1 inference. The targets follow your "
                "answers to 'Where will the models run?'; you can keep answering while this "
                "runs. 'Your model…' tries your own model instead."
            )
        )
        layout.addLayout(target_row)
        layout.addWidget(self.model)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.panel)
        layout.addWidget(self.table, 1)
        self.say_durations()

    def _target_row(self) -> QHBoxLayout:
        """A box per deployment target, ticked as the answers name them."""
        target_row = QHBoxLayout()
        target_row.addWidget(QLabel("Targets:"))
        for target, label in deploy_targets().items():
            box = QCheckBox(label)
            box.setAccessibleName(f"Deployment target: {label}")
            box.toggled.connect(self.say_durations)
            self.targets[target] = box
            target_row.addWidget(box)
        target_row.addStretch()
        return target_row

    def _preset_row(self) -> QHBoxLayout:
        """Quick and Full, each saying how long it should take for the ticked targets."""
        row = QHBoxLayout()
        for preset, _label, tip in PRESETS:
            button = QRadioButton()
            button.setAccessibleName(f"{preset} deployment preset")
            button.setToolTip(tip)
            button.setChecked(preset == self.preset)
            button.toggled.connect(functools.partial(self._preset_toggled, preset))
            self.presets.addButton(button)
            self.preset_buttons[preset] = button
            row.addWidget(button)
        return row

    def say_durations(self) -> None:
        """Each preset with how long it should take for the targets ticked now."""
        targets = self.chosen_targets()
        for preset, label, _tip in PRESETS:
            expected = expected_deploy(preset, targets)
            words = duration_words(expected.low_s, expected.high_s) if targets else "no target"
            self.preset_buttons[preset].setText(f"{label} ({words})")

    def _preset_toggled(self, preset: str, on: bool) -> None:
        if on:
            self.preset = preset

    def set_targets(self, targets: tuple[str, ...]) -> None:
        """Tick exactly the targets the answers name (a session opened or restored)."""
        for target, box in self.targets.items():
            box.setChecked(target in targets)
        self._answered = targets

    def follow_answers(self, answered: tuple[str, ...]) -> None:
        """Follow a change of the answers, keeping the targets the user ticked by hand.

        The rule: a tick the user set or cleared stays until the answer to 'Where will the
        models run?' itself adds or drops that target; then that one target follows the
        answer. Any other answer changing leaves every tick as it was.
        """
        for target, box in self.targets.items():
            if (target in answered) != (target in self._answered):
                box.setChecked(target in answered)
        self._answered = answered

    def chosen_targets(self) -> tuple[str, ...]:
        """The ticked targets, in the spec's order."""
        return tuple(target for target, box in self.targets.items() if box.isChecked())

    def start(self) -> None:
        """Try the routes of the ticked targets on a worker thread."""
        if self.running():
            return
        targets = self.chosen_targets()
        if not targets:
            self.panel.show_problem("Tick at least one target to try its routes.")
            return
        try:
            model = self.model.choice.ref()
        except AdvisorError as exc:
            self.panel.show_problem(str(exc))
            return
        options, python = DeployOptions(self.preset, targets, model=model), self.python
        self.table.setRowCount(0)
        self._rows = {}
        self.panel.clear()
        self.status.setText("Starting…")

        def work(report: Callable[[object], None], cancel: threading.Event) -> Record:
            return self.session.deploy(python, options, report, cancel)

        self._run(work, self._on_event)

    def show_record(self, record: Record) -> None:
        """Fill the table from a finished (or restored) deployment run."""
        run = record.deployment
        if run is None and not self.running():  # another environment, not run there
            self.table.setRowCount(0)
            self.status.setText(NOT_RUN)
        if run is None:
            return
        self.say_durations()  # this run's step times are the next one's priors
        self.table.setRowCount(0)
        self._rows = {}
        for route in run.routes:
            self._show_route(route)
        state = "cancelled: partial results" if run.cancelled else "finished"
        self.status.setText(
            f"{run.preset} run {state} in {run.wall_time_s:.0f} s for "
            f"{', '.join(deploy_targets().get(t, t) for t in run.targets)}"
        )

    def show_held_back(self, partial: Record, record: Record) -> None:
        """After a cancel: the partial run is offered, not weighed (see service.combined)."""
        run = partial.deployment
        assert run is not None
        finished = sum(r.status != "cancelled" for r in run.routes)
        kept = record.deployment
        self.show_record(record if kept is not None else partial)
        weighed = (
            f"Shown and weighed: the last deployment run ({kept.preset}, "
            f"{local_time(kept.started_at)}); the partial run is kept beside it."
            if kept is not None
            else "Not weighed: a cancelled run leaves one framework's routes untried. "
            "Use the partial run to weigh what it tried."
        )
        self.status.setText(
            f"Cancelled: {finished} of {len(run.routes)} routes finished. {weighed}"
        )
        self.hold_partial(partial, record)

    def _locked_while_running(self) -> list[QWidget]:
        return [*self.targets.values(), *self.preset_buttons.values(), self.model]

    def _on_event(self, event: DeployEvent) -> None:
        if event.kind == "route_finished" and event.route is not None:
            self._show_route(event.route)
        else:
            self.status.setText(event.message)

    def _show_route(self, route: RouteResult) -> None:
        if route.route not in self._rows:
            self._rows[route.route] = self.table.rowCount()
            self.table.insertRow(self.table.rowCount())
        index = self._rows[route.route]
        for column, text in enumerate(_cells(route)):
            self.table.setItem(index, column, QTableWidgetItem(text))
        self.table.resizeRowToContents(index)


def _cells(route: RouteResult) -> tuple[str, str, str, str]:
    row = route_row(route)
    title = row.title + (" [deprecated]" if row.deprecated else "")
    if row.runtime:
        title += f"\n{row.runtime}"
    result = row.verdict + (f"\n{row.reason}" if row.reason else "")
    lines = [model_words(model) for model in route.models]
    if row.install_hint:
        lines.append(f"Install: {row.install_hint}")
    if row.note:
        lines.append(row.note)
    return row.framework, title, result, "\n".join(lines)


def _table() -> QTableWidget:
    table = read_only_table(list(COLUMNS), "Deployment routes")
    header = table.horizontalHeader()
    for column, width in ((0, 110), (1, 260), (2, 160)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(column, width)
    header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
    return table
