"""The session service: the use cases and decisions both front-ends share, over one store.

The terminal and the app keep one session (answers + latest record) in
`session.json` in the user data folder: a run measured with `framework-advisor bench`
is what the app shows at its next launch, and a run measured in the app is what
`framework-advisor recommend` weighs by default. The store written by earlier
versions of the terminal commands (`latest-results.json`) is read once and migrated.
Nothing here prints or knows about Qt; errors are AdvisorErrors naming the file.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from advisor.base.datadir import data_dir
from advisor.base.errors import AdvisorError, DataFolderError, RecordFormatError, UsageError
from advisor.base.fileio import atomic_write_text, check_output_path, read_text_file
from advisor.base.progress import Progress
from advisor.base.serde import dumps
from advisor.bench.events import BenchListener
from advisor.bench.run import BenchOptions, run_benchmarks
from advisor.bench.spec import suite
from advisor.bench.stats import NOISE_THRESHOLD_CV
from advisor.bench.usermodel import run_model_bench
from advisor.comparison import Comparison, ComparisonRow, compare
from advisor.deploy.run import DeployListener, DeployOptions, run_deployment
from advisor.deploy.spec import deploy_spec
from advisor.fleet.backend import FleetBackend, FleetRun, run_fleet
from advisor.fleet.compare import Fleet, SetAside, build_fleet
from advisor.probing.environments import Environment, default_python, discover
from advisor.probing.inventory import DEFAULT_PROBE_TIMEOUT_S, take_inventory
from advisor.record import (
    BenchmarkRun,
    CaseResult,
    CodeReading,
    DeploymentRun,
    Record,
    SuiteResult,
    WorkloadInfo,
    parse_json,
    record_from_json,
    save_record,
)
from advisor.redact import redacted
from advisor.report.bench_view import ratio_bars
from advisor.report.charts import Bar
from advisor.report.export import Format, export_report, format_for
from advisor.report.render import render_view
from advisor.report.view import ReportView, report_view, with_answers
from advisor.scan.propose import Findings, propose
from advisor.scan.run import ScanOptions, ScanProgress, scan_folders
from advisor.scan.signals import signal_table
from advisor.scan.summary import FROM_CODE, code_reading
from advisor.scoring.answers import (
    Answers,
    default_answers,
    load_answers,
    template,
    with_proposals,
)
from advisor.scoring.answers import same_answer as same_answer  # noqa: PLC0414 (the app's)
from advisor.scoring.claims import knowledge_jsonable
from advisor.scoring.engine import Recommendation, raw_weights, recommend
from advisor.scoring.knowledge import Knowledge
from advisor.scoring.knowledge import knowledge as shipped_knowledge
from advisor.scoring.profiles import profile_path
from advisor.scoring.verdict import verdict_jsonable
from advisor.session import SESSION_KIND, Session, load_session, parse_session, save_session
from advisor.usermodel import ModelRef, parse_model_ref
from advisor.wording.durations import Expected, expected_bench, expected_deploy, expected_probe

RunT = TypeVar("RunT", BenchmarkRun, DeploymentRun)
STORE_NAME = "session.json"
LEGACY_RESULTS_NAME = "latest-results.json"  # the terminal's store before the shared one
MIGRATED_RESULTS_NAME = "latest-results-migrated.json"
NO_RESULTS = "no saved benchmark or deployment results: static criteria only"


@dataclass(frozen=True)
class Restored:
    """The stored session, and why part of what was stored could not be used ("" if all was)."""

    session: Session
    problem: str


def store_path() -> Path:
    """The one file both front-ends keep the current session in."""
    return data_dir() / STORE_NAME


def _moved_aside(path: Path, stem: str) -> str:
    """Rename an unreadable file out of the way (never delete it); say where it went."""
    kept = path.with_name(f"{stem}-{int(time.time())}.json")
    try:
        path.replace(kept)
    except OSError as exc:
        return f"it stays at {path}: it could not be moved aside ({exc.strerror})"
    return f"it was kept as {kept}"


def restore(known: Knowledge) -> Restored:
    """The stored session; a fresh one (and why) when the store cannot be read.

    An unreadable store is moved aside so the next save cannot overwrite what the user
    might still want. A legacy `latest-results.json` is folded in once (its record
    replaces an older one) and renamed, so it is not read again.
    """
    session, problems = Session(default_answers(known), None), []
    try:
        path = store_path()
    except DataFolderError as exc:
        return Restored(session, f"Autosave is off: the {exc}")
    if not os.access(path.parent, os.W_OK):
        problems.append(f"Autosave is off: the data folder {path.parent} is read-only")
    if path.is_file():
        try:
            session = load_session(path, known)
            problems += session.answers.notes  # option ids read under their new names
        except AdvisorError as exc:
            kept = _moved_aside(path, "session-unreadable")
            problems.append(f"The last session could not be restored ({exc}); {kept}")
    legacy = data_dir() / LEGACY_RESULTS_NAME
    if legacy.is_file():
        session, problem = _migrated(session, legacy)
        problems += [problem] if problem else []
    return Restored(session, "; ".join(problems))


def set_aside(reason: str) -> str:
    """Move the stored session out of the way after it failed to show; say where it went.

    For a session that loads but cannot be drawn: the next start must not fail the same way.
    """
    try:
        kept = _moved_aside(store_path(), "session-unusable")
    except DataFolderError as exc:
        kept = str(exc)
    return f"The last session could not be shown ({reason}); {kept}"


def _migrated(session: Session, legacy: Path) -> tuple[Session, str]:
    try:
        record = record_from_json(read_text_file(legacy, str(legacy)), str(legacy))
    except AdvisorError as exc:
        kept = _moved_aside(legacy, "latest-results-unreadable")
        return session, f"The saved benchmark results could not be read ({exc}); {kept}"
    current = session.record
    if current is None or current.created_at <= record.created_at:
        session = replace(session, record=record)
    try:
        save_session(session, store_path())
        legacy.replace(legacy.with_name(MIGRATED_RESULTS_NAME))
    except (AdvisorError, OSError) as exc:  # read this time, migrated another
        return session, f"The saved benchmark results were read but not migrated ({exc})"
    return session, ""


def save(session: Session) -> None:
    """Keep the session in the store (atomically)."""
    save_session(session, store_path())


def same_environment(first: Record, second: Record) -> bool:
    """Whether two records measured the same Python environment on the same machine."""
    return (
        first.machine.system.hostname == second.machine.system.hostname
        and first.interpreter.executable == second.interpreter.executable
    )


def combined(stored: Record | None, new: Record, keep_complete: bool = True) -> Record:
    """A new run with what the stored record measured of the same environment and it did not.

    A benchmark run keeps the stored deployment run and the other way round; a record from
    another environment replaces the stored one whole (see `placed_run`, which shelves it).
    With `keep_complete`, a cancelled run is held back (see `_held_back`): the caller keeps
    it beside, and the app offers to use it instead.
    """
    base = stored if stored is not None and same_environment(stored, new) else None

    def kept(fresh: RunT | None, old: RunT | None, one_sided: bool) -> RunT | None:
        if fresh is None or (keep_complete and _held_back(fresh, old, one_sided)):
            return old
        return fresh

    return replace(
        new,
        frameworks=new.frameworks or (base.frameworks if base else ()),
        benchmarks=kept(new.benchmarks, base.benchmarks if base else None, False),
        deployment=kept(new.deployment, base.deployment if base else None, True),
    )


def _held_back(
    fresh: BenchmarkRun | DeploymentRun, old: BenchmarkRun | DeploymentRun | None, one_sided: bool
) -> bool:
    """Whether a cancelled run waits beside the record instead of being weighed.

    It never replaces a complete run. A cancelled deployment run is not weighed even with
    nothing to replace: its frameworks run one after the other, so a cancel leaves one
    framework's routes verified and the other's untried, a one-sided score. A cancelled
    benchmark run is not one-sided (the frameworks take turns, workload by workload).
    """
    if not fresh.cancelled:
        return False
    return one_sided or (old is not None and not old.cancelled)


RUN_KINDS = ("benchmarks", "deployment")


def held_back(stored: Record | None, new: Record) -> tuple[str, ...]:
    """The kinds of run ('benchmarks', 'deployment') of `new` that `combined` held back."""
    kept, taken = combined(stored, new), combined(stored, new, keep_complete=False)
    return tuple(kind for kind in RUN_KINDS if getattr(kept, kind) != getattr(taken, kind))


@dataclass(frozen=True)
class Placed:
    """Where a new record went (see `placed_run`)."""

    record: Record  # the session's record now: shown and weighed
    other_environments: tuple[Record, ...]  # this machine's other environments, with their runs
    held_back: tuple[str, ...]  # cancelled runs of the new record not weighed (see combined)


def placed_run(current: Record | None, shelved: Sequence[Record], new: Record) -> Placed:
    """A probe or run in the session: a measured run is never thrown away.

    A record of another Python environment takes the place of the current one, which is
    shelved with its runs; what was shelved for the new record's own environment comes
    back under it (switching back restores the runs measured there).
    """
    if current is None or same_environment(current, new):
        return Placed(combined(current, new), tuple(shelved), held_back(current, new))
    base = next((r for r in shelved if same_environment(r, new)), None)
    rest = [r for r in shelved if not same_environment(r, new)]
    if current.benchmarks is not None or current.deployment is not None:
        rest = [r for r in rest if not same_environment(r, current)] + [current]
    return Placed(combined(base, new), tuple(rest), held_back(base, new))


def remember_run(record: Record, known: Knowledge) -> tuple[Record, str | None]:
    """A finished run becomes the store's record (the stored answers stay as they were).

    Returns the record as kept (see `placed_run`) and why it could not be kept (a
    read-only data folder, say) or what of the store was set aside, or None: the run
    itself succeeded, so that is a warning for the caller to show, never a failure.
    """
    restored = restore(known)
    stored = restored.session
    placed = placed_run(stored.record, stored.other_environments, record)
    try:
        save(replace(stored, record=placed.record, other_environments=placed.other_environments))
    except AdvisorError as exc:
        return placed.record, f"not kept as the latest run: {exc}"
    return placed.record, restored.problem or None  # a store set aside is said, once


def stored_results(known: Knowledge) -> tuple[Record | None, str]:
    """The store's record when it holds a measured run, and a line saying where it came from."""
    restored = restore(known)
    record = restored.session.record
    if record is None or (record.benchmarks is None and record.deployment is None):
        return None, f"{NO_RESULTS} ({restored.problem})" if restored.problem else NO_RESULTS
    runs = [
        name
        for name, run in (("benchmark", record.benchmarks), ("deployment", record.deployment))
        if run is not None
    ]
    return record, f"{' and '.join(runs)} results from {store_path()} ({record.created_at})"


def merged(current: Session, opened: Session) -> tuple[Session, bool]:
    """An opened session in place of the current one; True when this machine's record was kept.

    A session saved before anything was measured brings answers only: the current
    measurements (and the other environments' runs) stay, as they still describe this machine.
    """
    kept = opened.record is None and current.record is not None
    if kept:
        return replace(
            opened, record=current.record, other_environments=current.other_environments
        ), kept
    return opened, kept


# The use cases both front-ends call. They parse, collect and show; what runs, what is
# read and what is weighed is decided here.


def knowledge() -> Knowledge:
    """The shipped criteria and questionnaire."""
    return shipped_knowledge()


def knowledge_listing(known: Knowledge, today: date) -> dict[str, Any]:
    """Every claim and tool with its score, source, version and date (`knowledge --json`)."""
    return knowledge_jsonable(known, today)


def given_answers(
    answers_file: Path | None, profile: str | None, known: Knowledge
) -> Answers | None:
    """Answers from a file or a shipped profile; None when neither is named."""
    if profile is not None:
        return load_answers(profile_path(profile), known)
    if answers_file is not None:
        return load_answers(answers_file, known)
    return None


def scan_code(
    roots: Sequence[Path],
    include_vendored: bool = False,
    on_progress: ScanProgress | None = None,
    cancel: threading.Event | None = None,
    workers: int = 0,
) -> Findings:
    """Read the user's project (never running it) and propose answers with evidence."""
    options = ScanOptions(include_vendored=include_vendored, workers=workers)
    result = scan_folders(roots, options, on_progress, cancel)
    return propose(result, signal_table(), shipped_knowledge())


def scanned_answers(
    given: Answers | None, findings: Findings, known: Knowledge
) -> tuple[Answers, CodeReading]:
    """The scan's proposals under the user's own answers, and what the report says of it."""
    answers = with_proposals(given, findings.answers(), FROM_CODE, known)
    return answers, code_reading(findings, answers, known)


def scan_reading(findings: Findings, answers: Answers, known: Knowledge) -> CodeReading:
    """What a report and a session keep of a scan, given the answers that stand now."""
    return code_reading(findings, answers, known)


def fresh_answers(known: Knowledge) -> Answers:
    """Every question at its default."""
    return default_answers(known)


def answers_template(known: Knowledge) -> str:
    """An answers file to fill in, every default written out."""
    return template(known)


def probe(
    python: str | None,
    timeout_s: float = DEFAULT_PROBE_TIMEOUT_S,
    on_progress: Callable[[str], None] | None = None,
    on_step: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    command: str = "framework-advisor probe",
) -> Record:
    """The machine and each framework in the chosen Python environment; messages to
    `on_progress`, where the probe stands (with the time left) to `on_step`. `command`:
    what the record says measured it (the app says so, not a terminal command)."""
    return take_inventory(
        python, timeout_s, on_progress=on_progress, command=command, on_step=on_step, cancel=cancel
    )


def measure(
    options: BenchOptions,
    python: str | None,
    on_event: BenchListener | None = None,
    cancel: threading.Event | None = None,
    command: str = "framework-advisor bench",
) -> Record:
    """Probe, then run both frameworks' suites side by side (see bench/run.py)."""
    return run_benchmarks(options, python, on_event, cancel, command)


def measure_model(
    model: ModelRef,
    preset: str,
    threads: int | None,
    python: str | None,
    say: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> Record:
    """Time the user's own model eager against compiled on each back-end (bench/usermodel.py)."""
    return run_model_bench(model, preset, threads, python, say, cancel)


def deploy(
    options: DeployOptions,
    python: str | None,
    on_event: DeployListener | None = None,
    cancel: threading.Event | None = None,
    command: str = "framework-advisor deploy",
) -> Record:
    """Try each deployment route of the chosen targets (see deploy/run.py)."""
    return run_deployment(options, python, on_event, cancel, command)


def user_model(text: str) -> ModelRef:
    """The user's own model as named (FILE.py:FUNCTION or module:FUNCTION), checked, not run."""
    return parse_model_ref(text)


def probe_duration() -> Expected:
    """How long probing this machine should take (see advisor/wording/durations.py)."""
    return expected_probe()


def bench_duration(preset: str, record: Record | None) -> Expected:
    """How long a benchmark run of `preset` should take in the environment `record` probed."""
    return expected_bench(preset, record)


def deploy_duration(preset: str, targets: tuple[str, ...]) -> Expected:
    """How long a deployment run of `preset` should take for these targets."""
    return expected_deploy(preset, targets)


def deploy_targets() -> dict[str, str]:
    """The deployment targets the routes stand for: id -> label."""
    return dict(deploy_spec().targets)


def answered_targets(answers: Answers) -> tuple[str, ...]:
    """The deployment targets the answers name (where will the models run?)."""
    chosen = answers.values.get("deployment_targets", [])
    return deploy_spec().for_answer(list(chosen) if isinstance(chosen, list) else [])


def workloads(preset: str) -> list[WorkloadInfo]:
    """The suite's workloads at one preset's sizes, in running order."""
    return [w.info(preset) for w in suite().workloads]


def environments(cancel: threading.Event | None = None) -> list[Environment]:
    """Python environments on this machine and which frameworks import there."""
    return discover(cancel=cancel)


def own_python() -> Path | None:
    """The interpreter probed by default, or None where there is none (a frozen app, no PATH)."""
    try:
        return default_python()
    except AdvisorError:
        return None


def live_rows(
    workload: WorkloadInfo, cases: Mapping[str, Sequence[CaseResult]]
) -> tuple[ComparisonRow, ...]:
    """The PyTorch/TensorFlow rows of one workload from each framework's cases timed so far
    in a run still going; provisional (how Keras runs a model is known at the run's end)."""
    run = BenchmarkRun(  # only what the ratios read: the cases (no peaks, so any device)
        preset="",
        device="cpu",
        device_name="",
        threads=1,
        seed=0,
        started_at="",
        wall_time_s=0.0,
        cancelled=False,
        workloads=(workload,),
        suites=tuple(
            SuiteResult(framework, framework, "ok", 0.0, cases=tuple(done))
            for framework, done in cases.items()
        ),
        parity=(),
        peaks=(),
        noise_threshold_cv=NOISE_THRESHOLD_CV,
    )
    return compare(run).rows


def ratio_chart(rows: Sequence[ComparisonRow]) -> tuple[Bar, ...]:
    """The ratio chart of these rows (a finished run's or a live one's), as the report draws it."""
    return ratio_bars(rows)


def chosen_run(record: Record, kind: str, source: Record) -> Record:
    """The record with `source`'s run of this kind ('benchmarks' or 'deployment', or none)
    in place of its own: the user chose between a cancelled run and the one it would replace."""
    return replace(record, **{kind: getattr(source, kind)})


def comparison(record: Record) -> Comparison | None:
    """PyTorch against TensorFlow in the record's run, built once; None without a suite run
    (a `bench --model` run times the user's model, not the suite: see report/model_view)."""
    run = record.benchmarks
    return compare(run) if run is not None and run.model is None else None


def advise(
    known: Knowledge, answers: Answers, compared: Comparison | None, record: Record | None = None
) -> Recommendation:
    """The recommendation for these answers and this comparison (None: static criteria only).

    A record's deployment run, if it has one, is evidence on the deployment criteria.
    """
    return recommend(known, answers, compared, deployment=record.deployment if record else None)


def weights(known: Knowledge, answers: Answers, device: str | None) -> dict[str, float]:
    """Each criterion's weight for these answers and a run on `device` (None: no run)."""
    return raw_weights(known, answers, device)


def report(
    record: Record,
    known: Knowledge,
    compared: Comparison | None = None,
    fleet: Fleet | None = None,
) -> ReportView:
    """The report's view-model for this record (its answers inside), other machines beside it."""
    return report_view(record, known, compared, fleet)


def render(view: ReportView) -> str:
    """The self-contained HTML of a report view."""
    return render_view(view)


def export(
    record: Record,
    path: Path,
    fmt: Format,
    view: ReportView,
    leave_out_identity: bool = False,
    cancel: threading.Event | None = None,
) -> None:
    """Write the report as HTML, JSON or PDF, atomically.

    ``leave_out_identity``: host name, user name and home folder are replaced (see
    advisor.redact), in the file only; the session keeps the record as measured.
    ``cancel`` stops a PDF being printed (CancelledError; nothing is written).
    """
    problem = identity_problem(view) if leave_out_identity else None
    if problem is not None:
        raise UsageError(problem)
    if leave_out_identity:
        record = redacted(record)
        view = report_view(record, shipped_knowledge())
    export_report(record, path, fmt, view, cancel)


def identity_problem(view: ReportView) -> str | None:
    """Why this report cannot leave out host, user and home folder (None: it can)."""
    if view.fleet is None:
        return None
    return (
        "cannot leave out the identity of compared machines (their host names label "
        "them): remove the other machines first, or export with the identity"
    )


def report_format(path: Path | None, requested: str | None) -> Format:
    """The format asked for, else the one the file name says, else HTML."""
    return format_for(path, requested)


def verdict(rec: Recommendation) -> dict[str, Any]:
    """The recommendation as plain JSON data."""
    return verdict_jsonable(rec)


def read_record(path: Path, label: str) -> Record:
    """A saved record; `label` names the file in an error ('--from x.json', 'x.json')."""
    return record_from_json(read_text_file(path, label), str(path))


def read_run(path: Path, label: str) -> Record:
    """A record from a file: a saved record, a JSON report, or a session file (its record)."""
    text = read_text_file(path, label)
    data = parse_json(text, str(path))
    if isinstance(data, dict) and data.get("kind") == SESSION_KIND:
        record = parse_session(text, str(path), shipped_knowledge()).record
        if record is None:
            raise RecordFormatError(f"{path}: the session holds no record yet")
        return record
    return record_from_json(text, str(path))


def compare_machines(
    paths: list[Path],
    answers: Answers,
    known: Knowledge,
    absent: Sequence[SetAside] = (),
) -> tuple[Record, Fleet]:
    """Records of several machines compared; the counted machine's record with the answers.

    `absent` names machines that brought no record. Raises UsageError when no file holds
    a benchmark run.
    """
    entries = [(str(path), read_run(path, str(path))) for path in paths]
    try:
        fleet = build_fleet(entries, known, answers, absent)
    except ValueError as exc:
        raise UsageError(f"{exc} among {', '.join(map(str, paths))}") from exc
    return with_answers(fleet.chosen.record, answers), fleet


def other_machine(path: Path) -> Record:
    """A record from another machine to compare with this one: it must hold a benchmark run."""
    record = read_run(path, str(path))
    if record.benchmarks is None:
        raise UsageError(f"{path}: the record holds no benchmark run to compare")
    return record


THIS_MACHINE = "this machine"  # how the session's own record is named among the machines


def fleet_of(record: Record, others: Sequence[Record], answers: Answers, known: Knowledge) -> Fleet:
    """This machine's record beside the others added to the session (see fleet/compare.py)."""
    entries = [(THIS_MACHINE, record)] + [
        (f"added: {o.machine.system.hostname} ({o.created_at})", o) for o in others
    ]
    try:
        return build_fleet(entries, known, answers)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def fleet(
    backend: FleetBackend,
    on_progress: Callable[[str], None],
    cancel: threading.Event | None = None,
    on_step: Callable[[Progress], None] | None = None,
) -> FleetRun:
    """Benchmark each node through a scheduler (see fleet/backend.py); the runs and their
    records. Messages go to `on_progress`, where the nodes stand (with the time left) to
    `on_step`."""
    return run_fleet(backend, on_progress, cancel, on_step)


def keep_unsaved(record: Record) -> Path:
    """Save a record that could not go where the user asked; return where it went.

    The data folder takes it, or the temporary folder when that cannot be written either.
    """
    name = f"unsaved-record-{int(time.time())}.json"
    try:
        path = data_dir() / name
        save_record(record, path)
    except AdvisorError:
        path = Path(tempfile.gettempdir()) / name
        save_record(record, path)
    return path


def check_output(path: Path) -> None:
    """Refuse, before any work, an output path that cannot take the file (see fileio)."""
    check_output_path(path)


def write_text(path: Path, text: str) -> None:
    """Write a file the user named, atomically."""
    atomic_write_text(path, text)


def as_json(value: object) -> str:
    """Typed data (a record, environments) as indented JSON text."""
    return dumps(value)


def open_session(path: Path, known: Knowledge) -> Session:
    """A session file the user opened, checked in full."""
    return load_session(path, known)


def save_session_as(session: Session, path: Path) -> None:
    """Save the session where the user asked."""
    save_session(session, path)
