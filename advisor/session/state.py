"""The Session: one working session's state and decisions, held by each front-end.

The terminal holds one per command, the app one per window. It keeps the answers in force
(and where each came from), the record and its comparison (built once per record), the
other machines, this machine's other environments with their runs, the scan, the user's
model and runs probes and runs under its front-end's name, places what they bring
(see runs.py) and keeps itself in the store (see store.py). Nothing here prints or knows Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.base.errors import AdvisorError, UsageError
from advisor.base.progress import Progress
from advisor.bench.events import BenchEvent, BenchListener
from advisor.bench.run import BenchOptions, run_benchmarks
from advisor.bench.usermodel import run_model_bench
from advisor.comparison import Comparison, compare
from advisor.deploy.run import DeployListener, DeployOptions, run_deployment
from advisor.fleet.compare import Fleet, SetAside
from advisor.probing.inventory import DEFAULT_PROBE_TIMEOUT_S, take_inventory
from advisor.record import BenchmarkRun, CodeReading, Record
from advisor.redact import redacted
from advisor.report.export import Format, export_report
from advisor.report.render import render_view
from advisor.report.view import ReportView, report_view, with_answers
from advisor.scan.propose import Findings
from advisor.scoring.answers import Answers, default_answers
from advisor.scoring.engine import Recommendation, raw_weights, recommend
from advisor.scoring.knowledge import Knowledge
from advisor.scoring.knowledge import knowledge as shipped_knowledge
from advisor.session import store
from advisor.session.machines import compare_machines, fleet_of, other_machine
from advisor.session.runs import Placed, chosen_run, merged, placed_run
from advisor.session.saved import SavedSession, load_session, save_session
from advisor.usermodel import ModelRef
from advisor.wording.scan import code_reading

COMMAND = "framework-advisor"  # what a record measured here says measured it, by default


@dataclass(frozen=True)
class Report:
    """What the report shows now: its record (answers inside) and its view."""

    record: Record
    view: ReportView
    # Why the other machines are not compared (None when they are, or there are none).
    problem: AdvisorError | None


class Session:
    """One working session: answers, records, runs and the store, for one front-end."""

    def __init__(
        self,
        knowledge: Knowledge | None = None,
        saved: SavedSession | None = None,
        command: str = COMMAND,
    ) -> None:
        self.knowledge = knowledge or shipped_knowledge()
        self.command = command  # the app's, or the terminal command that runs
        # None in the terminal until given: a saved record's own answers then stand.
        self.answers: Answers | None = None
        self.code: CodeReading | None = None  # the latest scan of the user's code, if any
        self.model: str | None = None  # "Your model…": FILE.py:FUNCTION, as chosen
        self.record: Record | None = None
        self.others: tuple[Record, ...] = ()  # benchmark records added from other machines
        # This machine's other Python environments, each record with the runs measured there:
        # choosing another interpreter shelves the current record here, never discards it.
        self.other_environments: tuple[Record, ...] = ()
        # Each run's comparison, built once: id(run) -> (run, comparison); the run is kept
        # so its id cannot be reused while the entry lives.
        self._compared: dict[int, tuple[BenchmarkRun, Comparison]] = {}
        self.first_run = False
        if saved is not None:
            self.take(saved)

    def take(self, saved: SavedSession) -> None:
        """Hold a saved session's state in place of this one's."""
        # A first run: nothing measured or answered yet, so the probe may set better defaults.
        fresh = default_answers(self.knowledge)
        self.first_run = saved.record is None and saved.answers.values == fresh.values
        self.answers, self.code, self.model = saved.answers, saved.code, saved.model
        self.others, self.other_environments = saved.others, saved.other_environments
        if saved.record is not None:
            self.set_record(saved.record)
        else:
            self.record = None

    def saved(self) -> SavedSession:
        """The session as it is saved: answers and records as they stand."""
        return SavedSession(
            self.answers_in_force(),
            self.record,
            self.others,
            self.other_environments,
            self.code,
            self.model,
        )

    def answers_in_force(self) -> Answers:
        """The answers given, else every question at its default."""
        return self.answers or default_answers(self.knowledge)

    @property
    def comparison(self) -> Comparison | None:
        """PyTorch against TensorFlow in the record's run, built once per record; None
        without a suite run (a `bench --model` run times the user's model, not the suite)."""
        return self._suite_comparison(self.record) if self.record is not None else None

    def _suite_comparison(self, record: Record) -> Comparison | None:
        """The record's suite run compared, or None (no run, or a run of the user's model)."""
        run = record.benchmarks
        return self._comparison_of(run) if run is not None and run.model is None else None

    def _comparison_of(self, run: BenchmarkRun) -> Comparison:
        """The run's comparison, built once while the session holds the run."""
        found = self._compared.get(id(run))
        if found is None or found[0] is not run:
            held = {id(r.benchmarks) for r in (self.record, *self.others) if r is not None}
            self._compared = {k: v for k, v in self._compared.items() if k in held}
            found = self._compared[id(run)] = (run, compare(run))
        return found[1]

    def set_record(self, record: Record) -> None:
        """Make this the session's record (its comparison is built when first asked)."""
        self.record = record
        self.first_run = False  # defaults follow only the first probe of a fresh session

    def measured(self, record: Record) -> Placed:
        """A probe or run in the session: a measured run is never thrown away (see
        runs.placed_run); a cancelled run held back is named in the result."""
        placed = placed_run(self.record, self.other_environments, record)
        self.other_environments = placed.other_environments
        self.set_record(placed.record)
        return placed

    def follows_probe(self, record: Record) -> bool:
        """Whether a hardware answer still at its default follows this probe: on a first
        run, on a machine without an NVIDIA GPU. Asked once."""
        first, self.first_run = self.first_run, False
        return first and not record.machine.gpu.gpus

    def use_run(self, kind: str, chosen: Record) -> None:
        """The user chose whose run of this kind is weighed: `chosen`'s, not the record's."""
        if self.record is not None:
            self.set_record(chosen_run(self.record, kind, chosen))

    def add_other(self, path: Path) -> Record:
        """Add another machine's benchmark record to compare; a bad file changes nothing."""
        record = other_machine(path)
        self.others = (*self.others, record)
        return record

    def remove_others(self) -> None:
        """Back to this machine alone."""
        self.others = ()

    def report(self) -> Report | None:
        """The report of the record with the answers in force (None before a probe): this
        machine's, or, with other machines added, the one whose figures count."""
        if self.record is None:
            return None
        fleet, problem = self._fleet()
        counted = fleet.chosen.record if fleet is not None else self.record
        record = self._answered(counted)
        view = report_view(record, self.knowledge, self._suite_comparison(counted), fleet)
        return Report(record, view, problem)

    def weights(self, answers: Answers, device: str | None) -> dict[str, float]:
        """Each criterion's weight for these answers and a run on `device` (None: no run)."""
        return raw_weights(self.knowledge, answers, device)

    def code_reading(self, findings: Findings, answers: Answers) -> CodeReading:
        """What the session keeps of a scan, given the answers that stand now."""
        return code_reading(findings, answers, self.knowledge)

    def html(self, shown: Report) -> str:
        """The report as one self-contained HTML page."""
        return render_view(shown.view)

    def _fleet(self) -> tuple[Fleet | None, AdvisorError | None]:
        if not self.others or self.record is None:
            return None, None
        try:
            answers = self.answers_in_force()
            fleet = fleet_of(self.record, self.others, answers, self.knowledge, self._comparison_of)
            return fleet, None
        except AdvisorError as exc:  # this machine has no run yet: the others alone
            return None, exc

    def _answered(self, record: Record) -> Record:
        """The record with the answers in force; a saved record keeps its own when none
        were given (`report --from` renders it again as it was)."""
        if self.answers is None and record.answers is not None:
            return record
        return with_answers(record, self.answers_in_force(), self.code)

    def advice(self) -> Recommendation:
        """The recommendation for the answers in force and the record's runs, if any."""
        deployment = self.record.deployment if self.record is not None else None
        return recommend(
            self.knowledge, self.answers_in_force(), self.comparison, deployment=deployment
        )

    def export(
        self,
        path: Path,
        fmt: Format,
        leave_out_identity: bool = False,
        cancel: threading.Event | None = None,
    ) -> ReportView:
        """Write the report as HTML, JSON or PDF, atomically; its view.

        ``leave_out_identity``: host name, user name and home folder are replaced (see
        advisor.redact), in the file only; the session keeps the record as measured.
        ``cancel`` stops a PDF being printed (CancelledError; nothing is written).
        """
        shown = self.report()
        if shown is None:
            raise UsageError("nothing to export yet: the machine is not probed")
        record, view = shown.record, shown.view
        if leave_out_identity:
            problem = identity_problem(view)
            if problem is not None:
                raise UsageError(problem)
            record = redacted(record)
            view = report_view(record, self.knowledge)
        export_report(record, path, fmt, view, cancel)
        return shown.view

    def export_comparison(
        self,
        paths: Sequence[Path],
        path: Path,
        fmt: Format,
        cancel: threading.Event | None = None,
        absent: Sequence[SetAside] = (),
    ) -> ReportView:
        """Several machines' records compared and written as one report; its view.
        `absent` names machines that brought no record."""
        record, fleet = compare_machines(
            list(paths), self.answers_in_force(), self.knowledge, absent
        )
        view = report_view(record, self.knowledge, fleet=fleet)
        export_report(record, path, fmt, view, cancel)
        return view

    def open(self, path: Path) -> bool:
        """Replace the session with a saved one; True when this machine's record was kept
        (a session saved before anything was measured brings answers only)."""
        opened, kept = merged(self.saved(), load_session(path, self.knowledge))
        first = self.first_run  # a first run stays one until something is measured
        self.take(opened)
        self.first_run = first and self.record is None
        return kept

    def save_as(self, path: Path) -> None:
        """Save the session where the user asked."""
        save_session(self.saved(), path)

    def autosave(self) -> None:
        """Keep the session in the store (atomically)."""
        store.save(self.saved())

    def remember(self, record: Record) -> tuple[Record, str | None]:
        """A finished run becomes the store's record; see store.remember_run."""
        return store.remember_run(record, self.knowledge)

    def probe(
        self,
        python: str | None,
        timeout_s: float = DEFAULT_PROBE_TIMEOUT_S,
        on_progress: Callable[[str], None] | None = None,
        on_step: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Record:
        """The machine and each framework in the interpreter `python` (None: the advisor's own).

        Like every run here, safe off the GUI thread: it changes nothing in the session (hand
        the record to `measured`), and the record names the front-end's command.
        """
        return take_inventory(
            python,
            timeout_s,
            on_progress=on_progress,
            command=self.command,
            on_step=on_step,
            cancel=cancel,
        )

    def measure(
        self,
        python: str | None,
        options: BenchOptions,
        on_event: BenchListener | None = None,
        cancel: threading.Event | None = None,
        model: ModelRef | None = None,
    ) -> Record:
        """Probe, then both frameworks' suites side by side in the interpreter `python`;
        with a `model`, the user's own model instead, eager against compiled on each
        back-end (its messages come as message events)."""
        if model is None:
            return run_benchmarks(options, python, on_event, cancel, self.command)

        def say(message: str) -> None:
            if on_event is not None:
                on_event(BenchEvent("", "message", message))

        return run_model_bench(model, options.preset, options.threads, python, say, cancel)

    def deploy(
        self,
        python: str | None,
        options: DeployOptions,
        on_event: DeployListener | None = None,
        cancel: threading.Event | None = None,
    ) -> Record:
        """Try each deployment route of the chosen targets in the interpreter `python`."""
        return run_deployment(options, python, on_event, cancel, self.command)


def identity_problem(view: ReportView) -> str | None:
    """Why this report cannot leave out host, user and home folder (None: it can)."""
    if view.fleet is None:
        return None
    return (
        "cannot leave out the identity of compared machines (their host names label "
        "them): remove the other machines first, or export with the identity"
    )
