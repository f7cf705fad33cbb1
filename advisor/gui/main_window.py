"""The main window: five pages, the live headline, menus, session autosave and the exports."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from advisor.base.errors import AdvisorError
from advisor.gui.bench_page import BenchPage
from advisor.gui.deploy_page import DeployPage
from advisor.gui.machine_page import MachinePage
from advisor.gui.model_picker import ModelChoice
from advisor.gui.progress_bar import RunProgressBar
from advisor.gui.questions_page import QuestionsPage
from advisor.gui.report_page import ReportPage
from advisor.gui.run_page import APP_COMMAND
from advisor.gui.screen_fit import fit_to_screen
from advisor.gui.welcome import WelcomePanel
from advisor.gui.wheel import guard_wheel
from advisor.gui.widgets import FailurePanel, FileNotice, app_message, heading
from advisor.record import Record
from advisor.report.export import Format
from advisor.scoring.answers import Answers
from advisor.scoring.knowledge import Knowledge
from advisor.session import Session
from advisor.session.decisions import answered_targets, own_python
from advisor.session.runs import same_environment
from advisor.session.saved import SavedSession
from advisor.session.state import identity_problem
from advisor.wording.formatting import headline


@dataclass(frozen=True)
class Page:
    """One page of the app: the window attribute that holds it and its title in the sidebar
    and the Go menu (Ctrl+1... by its place in PAGES)."""

    name: str
    title: str


# The one list of pages: it drives the sidebar, the stack, the Go menu and its shortcuts,
# and every lookup by name (show_page, current_page). A new page is its module plus a line.
PAGES = (
    Page("questions", "Project needs"),
    Page("machine", "Machine"),
    Page("bench", "Benchmarks"),
    Page("deploy", "Deployment"),
    Page("report", "Report"),
)
MINIMUM_SIZE = (860, 560)
PREFERRED_SIZE = (1180, 780)
REFRESH_DELAY_MS = 150  # answers arrive click by click; re-score once they settle
FILTERS: dict[Format, str] = {
    "html": "HTML report (*.html)",
    "pdf": "PDF document (*.pdf)",
    "json": "JSON record (*.json)",
}
SESSION_FILTER = "Framework Advisor session (*.json)"


class MainWindow(QMainWindow):
    """The app: questions, machine, benchmarks and report over one session."""

    def __init__(self, knowledge: Knowledge, saved: SavedSession, problem: str = "") -> None:
        super().__init__()
        self.session = Session(knowledge, saved, APP_COMMAND)  # the state; the window shows it
        self._running: set[str] = set()  # runs in progress, for the headline and the report
        # Set by a stop signal (run_gui hands over its StopSignals' event): stops an export.
        self.stopping = threading.Event()
        self._scored_headline = ""
        self.setWindowTitle("Framework Advisor")
        # Below MINIMUM_SIZE the sidebar and the result tables are cut rather than wrapped;
        # a screen smaller than that (200 % on 1920x1080) still gets the whole window.
        fit_to_screen(self, PREFERRED_SIZE, MINIMUM_SIZE)
        self.questions = QuestionsPage(self.session)
        self.machine = MachinePage(self.session)
        self.model_choice = ModelChoice()  # "Your model…", shared by both pages
        self.bench = BenchPage(self.session, self.model_choice)
        self.deploy = DeployPage(self.session, self.model_choice)
        self.report = ReportPage()
        self.headline = heading("")
        self.headline.setAccessibleName("Current recommendation")
        self.headline.setWordWrap(True)
        self.panel = FailurePanel()
        self.welcome = WelcomePanel()
        self.welcome.setVisible(self.session.first_run)
        self.probe_progress = RunProgressBar("Machine")
        self.bench_progress = RunProgressBar("Benchmarks")
        self.deploy_progress = RunProgressBar("Deployment")
        self.exported = FileNotice()  # the last export, with Open
        self._build_layout()
        self._build_menus()
        guard_wheel(self)  # scrolling never changes an answer
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._connect()
        self._restore()
        if problem:
            self.panel.show_problem(problem)

    def _build_layout(self) -> None:
        self.nav = QListWidget()
        self.nav.addItems([page.title for page in PAGES])
        self.nav.setAccessibleName("Pages")
        self.nav.setMaximumWidth(180)
        self.stack = QStackedWidget()
        for page in PAGES:
            self.stack.addWidget(getattr(self, page.name))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        columns = QHBoxLayout()
        columns.addWidget(self.nav)
        columns.addWidget(self.stack, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        self.questions.put_above_questions(self.welcome)
        layout.addWidget(self.headline)
        layout.addWidget(self.panel)
        layout.addLayout(columns, 1)
        self.setCentralWidget(central)
        self.statusBar().addWidget(self.exported, 1)
        # Visible from every page while a run goes on.
        self.statusBar().addPermanentWidget(self.probe_progress, 1)
        self.statusBar().addPermanentWidget(self.bench_progress, 1)
        self.statusBar().addPermanentWidget(self.deploy_progress, 1)
        self.show_page(PAGES[0].name)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open session…", QKeySequence.StandardKey.Open, self._open)
        self._action(file_menu, "&Save session as…", QKeySequence.StandardKey.SaveAs, self._save)
        self._action(file_menu, "Rese&t answers…", None, self.questions.ask_reset)
        file_menu.addSeparator()
        self._action(file_menu, "&Add results from another machine…", None, self._add_other)
        self._action(file_menu, "&Remove the other machines", None, self.remove_others)
        file_menu.addSeparator()
        for fmt in FILTERS:
            self._action(
                file_menu, f"Export &{fmt.upper()}…", None, functools.partial(self._export, fmt)
            )
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        go_menu = self.menuBar().addMenu("&Go")
        for number, page in enumerate(PAGES):
            go_to = functools.partial(self.show_page, page.name)
            self._action(go_menu, f"&{page.title}", f"Ctrl+{number + 1}", go_to)
        go_menu.addSeparator()  # no Help menu: every question needs a letter of its own
        self._action(go_menu, "&Welcome", None, self.show_welcome)

    def show_page(self, name: str) -> None:
        """Show the page of PAGES called ``name`` (its window attribute: "bench", "report"...)."""
        self.nav.setCurrentRow([page.name for page in PAGES].index(name))

    def current_page(self) -> str:
        """The name of the page shown."""
        return PAGES[self.nav.currentRow()].name

    def show_welcome(self) -> None:
        """The welcome again, on the Project needs page."""
        self.show_page("questions")
        self.welcome.show()

    def _action(
        self,
        menu: QMenu,
        text: str,
        shortcut: QKeySequence.StandardKey | str | None,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _connect(self) -> None:
        self.model_choice.changed.connect(self._autosave)
        self.questions.answers_changed.connect(self._answers_changed)
        self.machine.probed.connect(self._measured)
        self.machine.environment_changed.connect(self._environment_changed)
        self.bench.finished_run.connect(self._measured)
        for page in (self.bench, self.deploy):
            page.run_chosen.connect(functools.partial(self._use_run, page.run_kind))
        self.deploy.finished_run.connect(self._measured)
        self.machine.progress_changed.connect(self.probe_progress.show_progress)
        self.machine.progress_changed.connect(self.welcome.follow_probe)
        self.bench.progress_changed.connect(self.bench_progress.show_progress)
        self.deploy.progress_changed.connect(self.deploy_progress.show_progress)
        self.bench.busy_changed.connect(lambda busy: self._measuring("benchmarks", busy))
        self.deploy.busy_changed.connect(self._deploy_busy)
        self.report.export_requested.connect(self._export)
        self.report.question_requested.connect(self._show_question)

    def _show_question(self, question_id: str) -> None:
        """A link in the report to the question behind it."""
        self.show_page("questions")
        self.questions.show_question(question_id)

    def _answers_changed(self, answers: Answers) -> None:
        if not self.deploy.running():  # the ticks show what runs; they follow once it ended
            self.deploy.follow_answers(answered_targets(answers))
        self._refresh_timer.start()

    def _deploy_busy(self, busy: bool) -> None:
        self._measuring("deployment routes", busy)
        if not busy:
            self.deploy.follow_answers(answered_targets(self.questions.answers()))

    def _restore(self) -> None:
        """Every page shows the session as it was restored or opened."""
        session = self.session
        model = session.model  # the widgets' autosave below would take the empty choice
        self.questions.set_answers(session.answers_in_force(), session.code)
        self.deploy.set_targets(answered_targets(session.answers_in_force()))
        here = session.record.machine.system.hostname if session.record else None
        for shelved in session.other_environments:  # offered, to switch back to their runs
            if shelved.machine.system.hostname == here:  # not another machine's interpreter
                self._offer_environment(shelved.interpreter.executable, select=False)
        if session.record is None:
            self.refresh()
        else:
            executable = session.record.interpreter.executable
            if self._offer_environment(executable, select=True):
                self.bench.python = self.deploy.python = executable
            self.set_record(session.record)
        self.model_choice.set_text(model)  # last: its autosave sees the whole session

    def _offer_environment(self, executable: str, select: bool) -> bool:
        """Offer a restored record's interpreter in the selector, without probing it; False
        for the advisor's own Python (always offered)."""
        if executable == str(own_python()):
            return False
        self.machine.environments.blockSignals(True)  # no probe: this is restored
        self.machine.add_environment(executable, select)
        self.machine.environments.blockSignals(False)
        return True

    def start(self) -> None:
        """Once the window is up: list the environments; probe unless a session had it."""
        self.machine.discover_environments()
        if self.session.record is None:
            self.machine.start_probe()

    def _sync(self) -> None:
        """The session takes what the widgets hold: answers, the scan, the model chosen."""
        self.session.answers = self.questions.answers()
        self.session.code = self.questions.code_reading()
        self.session.model = self.model_choice.text()

    def refresh(self) -> None:
        """Re-score from the current answers (no re-measuring), re-render and autosave."""
        self._sync()
        shown = self.session.report()
        if shown is None:
            scored = self.session.advice()
        else:
            if shown.problem is not None:
                self.panel.show_problem(
                    f"Other machines not compared: {app_message(shown.problem)}"
                )
            scored = shown.view.recommendation
            self.report.show_html(self.session.html(shown), identity_problem(shown.view))
        self.bench.show_fleet(shown.view.fleet if shown is not None else None)
        self.questions.show_direction(scored)
        self._scored_headline = headline(scored)
        self._show_headline()
        self._autosave()

    def _measuring(self, what: str, busy: bool) -> None:
        """A run started or ended: the headline and the Report page say so."""
        if busy:
            self._running.add(what)
        else:
            self._running.discard(what)
        self.report.show_measuring(" and ".join(sorted(self._running)) or None)
        self._show_headline()

    def _show_headline(self) -> None:
        running = " and ".join(sorted(self._running))
        suffix = f"  · measuring {running}…" if running else ""
        self.headline.setText(self._scored_headline + suffix)

    def add_other(self, path: Path) -> bool:
        """Add another machine's record to compare; a bad file shows why and changes nothing."""
        try:
            record = self.session.add_other(path)
        except AdvisorError as exc:
            self.panel.show_problem(f"Could not add the results: {app_message(exc)}")
            return False
        self.panel.clear()
        self.refresh()
        timed = record.benchmarks.device_name if record.benchmarks else "another machine"
        self.statusBar().showMessage(f"Added the results of {timed} from {path}")
        return True

    def remove_others(self) -> None:
        """Back to this machine alone."""
        self.session.remove_others()
        self.refresh()

    def _autosave(self) -> None:
        self._sync()
        try:
            self.session.autosave()
        except AdvisorError as exc:
            self.statusBar().showMessage(f"Session not saved: {exc}")

    def set_record(self, record: Record) -> None:
        """Make this the session's record: every page shows it, the report is re-rendered."""
        self.session.set_record(record)
        self._show_record()

    def _show_record(self) -> None:
        record, comparison = self.session.record, self.session.comparison
        assert record is not None
        self.machine.show_record(record)
        self.welcome.show_machine(record)
        self.bench.show_record(record, comparison)
        self.deploy.show_record(record)
        self.questions.set_device(comparison.run.device if comparison else None)
        self.refresh()

    def _measured(self, record: Record) -> None:
        """A probe, benchmark or deployment run: the session places it (see
        session.runs.placed_run); a cancelled run held back is kept beside the record, and
        its page offers to use it instead."""
        if self.session.follows_probe(record) and "hardware" in self.questions.defaults():
            self.questions.use_machine_default(
                "hardware", ["cpu_only"], "no NVIDIA GPU found on this machine"
            )
        placed = self.session.measured(record)
        for page in (self.bench, self.deploy):  # a partial run belongs to its environment
            if page.partial is not None and not same_environment(page.partial, record):
                page.hold_partial(None)
        self._show_record()
        if "benchmarks" in placed.held_back:
            self.bench.show_kept_complete(record, placed.record)
        if "deployment" in placed.held_back:
            self.deploy.show_held_back(record, placed.record)

    def _use_run(self, kind: str, chosen: Record) -> None:
        """The user chose whose run of this kind is weighed (see RunPage.run_chosen)."""
        if self.session.record is not None:
            self.session.use_run(kind, chosen)
            self._show_record()

    def _environment_changed(self, python: str | None) -> None:
        self.bench.python = self.deploy.python = python

    def export_to(self, path: Path, fmt: Format) -> bool:
        """Write the report; a failure shows on the report page and changes nothing."""
        if self.session.record is None:
            self.report.panel.show_problem("Nothing to export yet: the machine is not probed.")
            return False
        self._sync()
        try:
            identity = self.report.leave_out_identity.isChecked()
            self.session.export(path, fmt, identity, self.stopping)
        except AdvisorError as exc:
            self.report.panel.show_problem(f"Export failed: {app_message(exc)}")
            return False
        self.report.panel.clear()
        self.statusBar().clearMessage()  # a message would hide the notice
        self.exported.show_file(path, f"{fmt.upper()} report written to {path}")
        return True

    def open_session(self, path: Path) -> bool:
        """Replace the session with a saved one; a bad file shows why and changes nothing."""
        self._sync()
        try:
            kept = self.session.open(path)
        except AdvisorError as exc:
            self.panel.show_problem(f"Could not open the session: {app_message(exc)}")
            return False
        self.panel.clear()
        self._restore()
        note = " (answers only: this machine's measurements are kept)" if kept else ""
        self.statusBar().showMessage(f"Session opened from {path}{note}")
        return True

    def save_session_as(self, path: Path) -> bool:
        """Save the session where the user asked."""
        self._sync()
        try:
            self.session.save_as(path)
        except AdvisorError as exc:
            self.panel.show_problem(f"Could not save the session: {app_message(exc)}")
            return False
        self.statusBar().showMessage(f"Session saved to {path}")
        return True

    def _export(self, fmt: Format) -> None:
        if self.report.export_problem():  # said on the Report page, before any dialog
            self.show_page("report")
            return
        default = f"framework-advisor-report.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, f"Export {fmt.upper()}", default, FILTERS[fmt])
        if path:
            self.export_to(Path(path), fmt)

    def _add_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add results from another machine", "", "Framework Advisor record (*.json)"
        )
        if path:
            self.add_other(Path(path))

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", SESSION_FILTER)
        if path:
            self.open_session(Path(path))

    def _save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save session as", "framework-advisor-session.json", SESSION_FILTER
        )
        if path:
            self.save_session_as(Path(path))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop running work (keeping finished results) and save the session."""
        for job in (self.machine.job, self.machine.discovery, self.bench.job, self.deploy.job):
            if job is not None and job.running():
                job.cancel()
                job.wait(5.0)
        self._autosave()
        super().closeEvent(event)
