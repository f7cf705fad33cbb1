"""The terminal front-end: parse arguments, call the session API, print, map errors to exit codes.

Exit codes: 0 success; 1 the job failed; 2 bad input or usage; 128 + the signal's
number when stopped by one (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP), after keeping what
finished.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TextIO

from advisor.base.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    AdvisorError,
    CancelledError,
    JobFailedError,
    UsageError,
)
from advisor.base.progress import Progress
from advisor.base.text import neutralised, shortened
from advisor.bench.events import BenchEvent, BenchListener
from advisor.bench.run import BenchOptions
from advisor.deploy.run import DeployEvent, DeployOptions
from advisor.fleet.backend import FleetRequest, FleetRun
from advisor.fleet.compare import SetAside
from advisor.fleet.registry import BACKENDS
from advisor.probing.inventory import InventoryCancelled
from advisor.record import Record
from advisor.redact import SCANNED_FOLDER
from advisor.report.export import Format
from advisor.scan.propose import Findings
from advisor.session import (
    Session,
    StopSignals,
    atomic_write_text,
    check_output_path,
    discover,
    dumps,
    format_for,
    knowledge_jsonable,
    parse_model_ref,
    record_to_json,
    run_fleet,
    save_record,
    stop_signals,
    template,
    verdict_jsonable,
)
from advisor.session.decisions import (
    given_answers,
    scan_code,
    scanned_answers,
    workloads,
)
from advisor.session.machines import read_record
from advisor.session.store import keep_unsaved, stored_results
from advisor.terminal.arguments import PROG, build_parser
from advisor.terminal.bench import format_benchmarks, format_live_case
from advisor.terminal.deploy import format_deployment, format_live_route
from advisor.terminal.fleet import format_fleet
from advisor.terminal.inventory import format_inventory
from advisor.terminal.knowledge import format_knowledge
from advisor.terminal.live import LiveOutput
from advisor.terminal.model import format_model_bench
from advisor.terminal.recommend import format_questions, format_recommendation
from advisor.terminal.scan import format_origins, format_scan, scan_answers_toml, scan_json
from advisor.wording.formatting import headline


def _check_output(path: Path | None) -> None:
    if path is not None:
        check_output_path(path)  # before minutes of measuring, not after


def _emit(record: Record, args: argparse.Namespace, text: str) -> None:
    """Print the record and save it where asked; a failed save still keeps it somewhere."""
    sys.stdout.write(record_to_json(record) if args.json else text)
    if args.output is None:
        return
    try:
        save_record(record, args.output)
    except AdvisorError as exc:
        kept = keep_unsaved(record)
        raise JobFailedError(f"{exc}; the record was saved to {kept} instead") from exc
    if not args.quiet:
        print(f"record saved to {args.output}", file=sys.stderr)


def _run_probe(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    _check_output(args.output)
    try:
        with _live(args) as out:
            record = session.probe(args.python, args.timeout, out.line, out.progress, stops.cancel)
    except InventoryCancelled as exc:  # what finished is shown and saved all the same
        _emit(exc.record, args, format_inventory(exc.record))
        raise
    _emit(record, args, format_inventory(record))
    if record.frameworks and all(p.status == "failed" for p in record.frameworks):
        raise JobFailedError("every framework probe failed (reasons above)")
    return EXIT_OK


def _bench_output(preset: str, out: LiveOutput) -> BenchListener:
    """Live progress on stderr: each finished case with its figure, messages, the bar."""
    known = {w.id: w for w in workloads(preset)}

    def show(event: BenchEvent) -> None:
        if event.kind == "progress" and event.progress is not None:
            out.progress(event.progress)
        elif event.kind == "case_finished" and event.case is not None:
            out.line(format_live_case(event.framework, event.case, known[event.case.workload]))
        elif event.kind == "message":
            out.line(event.message)

    return show


def _run_bench(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    _check_output(args.output)
    if args.model:
        return _run_model_bench(session, args, stops)
    options = BenchOptions(args.preset, args.device, args.frameworks, args.threads)
    with _live(args) as out:
        record = session.measure(
            args.python, options, _bench_output(args.preset, out), stops.cancel
        )
    session.set_record(record)
    assert record.benchmarks is not None and session.comparison is not None
    _emit(record, args, format_benchmarks(session.comparison))
    if record.benchmarks.cancelled:
        raise CancelledError("cancelled: the partial results above are not kept as the latest run")
    if not any(s.status == "ok" for s in record.benchmarks.suites):
        raise JobFailedError("no framework could run (reasons above); the latest run is unchanged")
    _remember(session, record)
    return EXIT_OK


def _run_model_bench(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    """`bench --model`: printed and saved, never kept as the suite's latest run."""
    if args.device == "cuda":
        raise UsageError("--model is timed on the CPU only (--device cuda is not supported yet)")
    model = parse_model_ref(args.model)
    with _live(args) as out:
        options = BenchOptions(args.preset, threads=args.threads)
        record = session.measure(
            args.python, options, _bench_output(args.preset, out), stops.cancel, model
        )
    run = record.benchmarks
    assert run is not None
    _emit(record, args, format_model_bench(run))
    if run.cancelled:
        raise CancelledError("cancelled: the partial results above are not kept")
    if not any(c.status == "ok" for s in run.suites for c in s.cases):
        raise JobFailedError("your model could not be timed on any back-end (reasons above)")
    return EXIT_OK


def _run_deploy(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    _check_output(args.output)
    model = parse_model_ref(args.model) if args.model else None
    options = DeployOptions(args.preset, args.targets, args.threads, model=model)
    with _live(args) as out:
        record = session.deploy(args.python, options, _deploy_output(out), stops.cancel)
    run = record.deployment
    assert run is not None
    _emit(record, args, format_deployment(run))
    if run.cancelled:
        raise CancelledError("cancelled: the partial results above are not kept as the latest run")
    if not any(r.status not in ("not_installed", "skipped") for r in run.routes):
        raise JobFailedError("no route could be tried here (reasons above); nothing was kept")
    _remember(session, record)
    return EXIT_OK


def _deploy_output(out: LiveOutput) -> Callable[[DeployEvent], None]:
    """Live progress on stderr: each finished route, messages, the bar."""

    def show(event: DeployEvent) -> None:
        if event.kind == "progress" and event.progress is not None:
            out.progress(event.progress)
        elif event.kind == "route_finished" and event.route is not None:
            out.line(format_live_route(event.route))
        else:
            out.line(event.message)

    return show


def _remember(session: Session, record: Record) -> Record:
    """Keep the run as the latest; the record as kept (with what it adds to the stored one)."""
    kept, problem = session.remember(record)
    if problem:
        print(f"{PROG}: warning: {shortened(problem)}", file=sys.stderr)
    return kept


def _load_results(session: Session, path: Path | None) -> str:
    """Hold the record whose benchmark and deployment runs to weigh; where it came from."""
    if path is None:
        record, origin = stored_results(session.knowledge)
        if record is not None:
            session.set_record(record)
        return origin
    record = read_record(path, f"--results {path}")
    if record.benchmarks is None and record.deployment is None:
        raise UsageError(f"--results {path}: the record holds no benchmark or deployment run")
    session.set_record(record)
    return f"results from {path} ({record.created_at})"


def _take_answers(session: Session, args: argparse.Namespace, cancel: threading.Event) -> None:
    """The user's answers, under which a scan's proposals (--scan) fill the rest."""
    given = given_answers(args.answers, args.profile, session.knowledge)
    session.answers = given
    if not getattr(args, "scan", None):
        return
    findings = _scanned(args.scan, False, args, cancel)
    if findings.result.cancelled:  # the command itself has not begun: nothing to keep
        raise CancelledError("cancelled by the user while reading the project")
    session.answers, session.code = scanned_answers(given, findings, session.knowledge)
    sys.stderr.write(format_origins(session.answers, session.code))


def _scanned(
    paths: list[Path], include_vendored: bool, args: argparse.Namespace, cancel: threading.Event
) -> Findings:
    started = time.monotonic()
    with _live(args) as out:

        def show(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            out.progress(Progress("reading files", done, total, elapsed, None))

        return scan_code(paths, include_vendored, show, cancel)


def _run_scan(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    if args.output is not None:
        _check_output(args.output)
    findings = _scanned(args.paths, args.include_vendored, args, stops.cancel)
    text = scan_json(findings) if args.json else format_scan(findings, session.knowledge)
    if args.leave_out_identity:
        for root in findings.result.roots:
            text = text.replace(root, SCANNED_FOLDER)
    sys.stdout.write(text)
    if args.output is not None:
        atomic_write_text(args.output, scan_answers_toml(findings))
        print(f"answers file written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _run_recommend(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    _take_answers(session, args, stops.cancel)
    print(shortened(_load_results(session, args.results)), file=sys.stderr)
    rec = session.advice()
    if args.json:
        sys.stdout.write(dumps(verdict_jsonable(rec)) + "\n")
    else:
        sys.stdout.write(format_recommendation(rec))
    return EXIT_OK


def _measure_for_report(session: Session, args: argparse.Namespace, stops: StopSignals) -> None:
    """Hold the record to report on: saved (--from, --results) or measured now.

    A measurement stopped by the user is reported as it stands (the report says the run
    was cancelled) but not kept as the latest run, as `bench` does.
    """
    if args.saved is not None:
        session.set_record(read_record(args.saved, f"--from {args.saved}"))
        return
    if args.results is not None:
        _load_results(session, args.results)
        return
    with _live(args) as out:
        listen = _bench_output(args.preset, out)
        record = session.measure(args.python, BenchOptions(args.preset), listen, stops.cancel)
    assert record.benchmarks is not None
    session.set_record(record if record.benchmarks.cancelled else _remember(session, record))


def _output(args: argparse.Namespace, stem: str) -> tuple[Path, Format]:
    """Where a report goes and in which format, checked before any work."""
    fmt = format_for(args.output, args.format)
    output = args.output or Path(f"{stem}.{fmt}")
    _check_output(output)
    return output, fmt


def _run_report(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    output, fmt = _output(args, "framework-advisor-report")
    _take_answers(session, args, stops.cancel)
    _measure_for_report(session, args, stops)
    # The report of a run measured just now is what finished: no signal cuts it short.
    measured_now = args.results is None and args.saved is None
    cancel = None if measured_now else stops.cancel
    view = session.export(output, fmt, args.leave_out_identity, cancel)
    print(f"{headline(view.recommendation)}; {fmt.upper()} report written to {output}")
    record = session.record
    if measured_now and record and record.benchmarks and record.benchmarks.cancelled:
        raise CancelledError(
            f"cancelled while measuring: the report written to {output} holds the partial "
            "results; they are not kept as the latest run"
        )
    return EXIT_OK


def _run_compare(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    if len(args.records) < 2:
        raise UsageError("compare needs two or more records (see framework-advisor compare --help)")
    output, fmt = _output(args, "framework-advisor-compare")
    session.answers = given_answers(args.answers, args.profile, session.knowledge)
    view = session.export_comparison(args.records, output, fmt, stops.cancel)
    assert view.fleet is not None
    sys.stdout.write(format_fleet(view.fleet))
    print(f"{headline(view.recommendation)}; {fmt.upper()} report written to {output}")
    return EXIT_OK


def _run_fleet(session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    request = FleetRequest(args.output_dir.absolute(), args.preset, args.python)
    backend = BACKENDS[args.scheduler].from_arguments(request, args)
    if args.dry_run:
        sys.stdout.write(backend.preview())
        return EXIT_OK
    session.answers = given_answers(args.answers, args.profile, session.knowledge)
    with _live(args) as out:
        run = run_fleet(backend, out.line, stops.cancel, out.progress)
    for task in run.tasks:
        print(f"{task.task}: {task.record}" if task.record else task.problem())
    if not run.records:
        _no_records(run, args.output_dir)
    absent = [SetAside(t.task, t.problem()) for t in run.tasks if t.record is None]
    output = request.output_dir / "fleet-report.html"
    view = session.export_comparison(run.records, output, "html", None, absent)
    print(f"{headline(view.recommendation)}; HTML report written to {output}")
    if run.cancelled:
        raise CancelledError(
            f"cancelled: {run.submitted} was cancelled; "
            f"the report holds the {len(run.records)} record(s) that finished"
        )
    return EXIT_OK


def _no_records(run: FleetRun, output_dir: Path) -> NoReturn:
    """A fleet run that brought no record: cancelled or failed, and why."""
    if run.cancelled:
        raise CancelledError(
            f"cancelled: {run.submitted} was cancelled before any node brought a record"
        )
    raise JobFailedError(
        f"no node brought a record: see the lines above and the logs in {output_dir}"
    )


def _run_questions(session: Session, args: argparse.Namespace, _stops: StopSignals) -> int:
    if args.template is None:
        sys.stdout.write(format_questions(session.knowledge))
    elif args.template == "-":
        sys.stdout.write(template(session.knowledge))
    else:
        atomic_write_text(Path(args.template), template(session.knowledge))
        print(f"answers template written to {args.template}", file=sys.stderr)
    return EXIT_OK


def _run_environments(_session: Session, args: argparse.Namespace, stops: StopSignals) -> int:
    found = discover(cancel=stops.cancel)
    if args.json:
        print(dumps(found))
        return EXIT_OK
    for environment in found:
        where = environment.candidate
        print(f"{environment.label()}\n    {where.python}  [{where.source}]")
    return EXIT_OK


def _run_knowledge(session: Session, args: argparse.Namespace, _stops: StopSignals) -> int:
    today = date.today()
    if args.json:
        print(dumps(knowledge_jsonable(session.knowledge, today)))
    else:
        sys.stdout.write(format_knowledge(session.knowledge, today))
    return EXIT_OK


def _run_gui() -> int:
    # Qt is imported only here, so the terminal commands never load it.
    from advisor.gui.app import run_gui

    return run_gui()


class _Neutralising:
    """A text stream that shows control and bidirectional characters as their escapes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(neutralised(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _live(args: argparse.Namespace) -> LiveOutput:
    """Live progress on the real stderr (LiveOutput neutralises what it shows itself)."""
    stream = sys.stderr
    raw = stream._stream if isinstance(stream, _Neutralising) else stream
    return LiveOutput(raw, quiet=getattr(args, "quiet", False))


@contextlib.contextmanager
def _neutralised_output() -> Iterator[None]:
    """Everything a command prints passes through `neutralised` (see advisor.base.text)."""
    original = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Neutralising(sys.stdout), _Neutralising(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = original


def terminal_message(exc: AdvisorError) -> str:
    """The error as the terminal says it: the option the subject came in by, then the message."""
    return f"{exc.option} {exc}" if exc.option else str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    with _neutralised_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    stops = StopSignals()
    try:
        args = build_parser().parse_args(argv)
        if args.command in (None, "gui"):
            code = _run_gui()
            if code > 128:  # closed by a stop signal, the session saved
                print(f"{PROG}: interrupted", file=sys.stderr)
            return code
        runners = {
            "probe": _run_probe,
            "bench": _run_bench,
            "deploy": _run_deploy,
            "recommend": _run_recommend,
            "questions": _run_questions,
            "report": _run_report,
            "compare": _run_compare,
            "fleet": _run_fleet,
            "environments": _run_environments,
            "scan": _run_scan,
            "knowledge": _run_knowledge,
        }
        session = Session(command=f"{PROG} {args.command}")
        with stop_signals() as stops:
            code = runners[args.command](session, args, stops)
        if stops.received is not None:  # it came after the last wait: all of it was kept
            print(
                f"{PROG}: interrupted; what had finished is shown above and kept", file=sys.stderr
            )
        return stops.exit_code(code)
    except CancelledError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return stops.exit_code(exc.exit_code)
    except AdvisorError as exc:
        print(f"{PROG}: error: {shortened(terminal_message(exc))}", file=sys.stderr)
        return stops.exit_code(exc.exit_code)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return stops.exit_code(EXIT_INTERRUPTED)
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if os.environ.get("FRAMEWORK_ADVISOR_DEBUG"):
            traceback.print_exc()
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {shortened(str(exc))} "
            "(set FRAMEWORK_ADVISOR_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED
