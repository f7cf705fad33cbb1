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

from advisor import __version__
from advisor.base.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    AdvisorError,
    CancelledError,
    JobFailedError,
    UsageError,
    quoted,
)
from advisor.base.progress import Progress
from advisor.base.stopping import StopSignals, stop_signals
from advisor.base.text import neutralised, shortened
from advisor.bench.events import BenchEvent, BenchListener
from advisor.bench.run import BenchOptions
from advisor.bench.spec import PRESETS
from advisor.deploy.run import DeployEvent, DeployOptions
from advisor.fleet.backend import FleetRequest
from advisor.fleet.compare import SetAside
from advisor.fleet.registry import BACKENDS
from advisor.probing.inventory import DEFAULT_PROBE_TIMEOUT_S, InventoryCancelled
from advisor.record import CodeReading, Record, record_to_json, save_record
from advisor.redact import SCANNED_FOLDER
from advisor.report.export import FORMATS, Format
from advisor.report.view import ReportView, with_answers
from advisor.scan.propose import Findings
from advisor.scoring.answers import Answers
from advisor.scoring.knowledge import Knowledge
from advisor.service import (
    advise,
    answers_template,
    as_json,
    check_output,
    compare_machines,
    comparison,
    deploy,
    deploy_targets,
    environments,
    export,
    fleet,
    fresh_answers,
    given_answers,
    keep_unsaved,
    knowledge,
    knowledge_listing,
    measure,
    measure_model,
    probe,
    read_record,
    remember_run,
    report,
    report_format,
    scan_code,
    scanned_answers,
    stored_results,
    user_model,
    verdict,
    workloads,
    write_text,
)
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

PROG = "framework-advisor"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and a UsageError, never a SystemExit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


_MAX_SECONDS = 86400.0  # a day: longer is a typo, not a timeout


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {quoted(text)}") from None
    if not 0 < value <= _MAX_SECONDS:  # NaN fails this too
        raise argparse.ArgumentTypeError(
            f"must be more than 0 and at most {_MAX_SECONDS:g} seconds: {quoted(text)}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = _Parser(prog=PROG, description="Choose between PyTorch and TensorFlow with evidence.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    probe = commands.add_parser(
        "probe", help="inventory of this machine and of each framework (no benchmark)"
    )
    probe.add_argument(
        "--python", metavar="PATH", help="interpreter (or venv folder) whose frameworks to probe"
    )
    probe.add_argument("--json", action="store_true", help="print the full record as JSON")
    probe.add_argument("--output", metavar="FILE", type=Path, help="also save the record here")
    probe.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_seconds,
        default=DEFAULT_PROBE_TIMEOUT_S,
        help=f"limit for each framework probe (default {DEFAULT_PROBE_TIMEOUT_S:g})",
    )
    probe.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    _add_bench_parser(commands)
    _add_deploy_parser(commands)
    _add_recommend_parsers(commands)
    _add_scan_parser(commands)
    _add_report_parser(commands)
    _add_compare_parser(commands)
    _add_fleet_parser(commands)
    environments = commands.add_parser(
        "environments",
        help="Python environments on this machine and whether torch/tensorflow import there",
    )
    environments.add_argument("--json", action="store_true", help="print them as JSON")
    listing = commands.add_parser(
        "knowledge",
        help="every claim the advice rests on, with its score, source, version and date",
    )
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    commands.add_parser("gui", help="open the desktop app (also: no command at all)")
    return parser


def _add_answers_options(parser: argparse.ArgumentParser) -> None:
    """--answers FILE or --profile NAME, not both (see given_answers)."""
    answers = parser.add_mutually_exclusive_group()
    answers.add_argument("--answers", metavar="FILE", type=Path, help="answers file (TOML)")
    answers.add_argument("--profile", metavar="NAME", help="a shipped example profile")


def _add_recommend_parsers(commands: argparse._SubParsersAction[_Parser]) -> None:
    recommend = commands.add_parser(
        "recommend", help="weigh your answers and this machine's results into a recommendation"
    )
    _add_answers_options(recommend)
    _add_scan_option(recommend)
    recommend.add_argument(
        "--results",
        metavar="FILE",
        type=Path,
        help="a saved bench record (default: the latest bench run, if any)",
    )
    recommend.add_argument(
        "--json", action="store_true", help="print the verdict as JSON (machine-readable)"
    )
    questions = commands.add_parser("questions", help="print the questionnaire")
    questions.add_argument(
        "--template",
        metavar="FILE",
        nargs="?",
        const="-",
        help="write an answers file to fill in (to FILE, or to stdout)",
    )


def _add_scan_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scan",
        metavar="PATH",
        type=Path,
        action="append",
        help="read answers from your project's code (repeatable); --answers/--profile win",
    )


def _add_scan_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    scan = commands.add_parser(
        "scan",
        help="read your project's code (never running it) and propose answers with evidence",
        description="Parses Python, notebooks, dependency files, app builds, C includes and "
        "configs under each PATH; never imports, runs or writes anything there.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", type=Path, help="a project folder")
    scan.add_argument("--json", action="store_true", help="print answers and evidence as JSON")
    scan.add_argument(
        "--output", metavar="FILE.toml", type=Path, help="write an answers file (for --answers)"
    )
    scan.add_argument(
        "--include-vendored",
        action="store_true",
        help="also read node_modules, virtual environments, build and vendored folders",
    )
    scan.add_argument(
        "--leave-out-identity",
        action="store_true",
        help="show the scanned folder's absolute path as <scanned folder> (for sharing)",
    )
    scan.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _add_report_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    report = commands.add_parser(
        "report",
        help="the recommendation as one self-contained HTML file (or JSON, PDF)",
        description="Without --results or --from, probes and runs the quick benchmarks first.",
    )
    _add_answers_options(report)
    _add_scan_option(report)
    inputs = report.add_mutually_exclusive_group()
    inputs.add_argument(
        "--results", metavar="FILE", type=Path, help="a saved bench record: do not measure"
    )
    inputs.add_argument(
        "--from",
        dest="saved",
        metavar="FILE",
        type=Path,
        help="a report saved as JSON: render it again as it was (answers included)",
    )
    report.add_argument(
        "--output", metavar="PATH", type=Path, help="default: framework-advisor-report.FORMAT"
    )
    report.add_argument(
        "--format", choices=FORMATS, help="default: from the --output suffix, else html"
    )
    report.add_argument(
        "--preset", choices=PRESETS, default="quick", help="benchmark size when measuring"
    )
    report.add_argument(
        "--python", metavar="PATH", help="interpreter (or venv folder) whose frameworks to run"
    )
    report.add_argument(
        "--leave-out-identity",
        action="store_true",
        help="replace the host name, user name and home folder (for a report to share)",
    )
    report.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _add_compare_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    compare = commands.add_parser(
        "compare",
        help="benchmark records from several machines in one report",
        description="Each RECORD is a file from `bench --output`, `report --format json`, "
        "a saved app session or a fleet run.",
    )
    compare.add_argument("records", nargs="+", metavar="RECORD", type=Path)
    _add_answers_options(compare)
    compare.add_argument(
        "--output", metavar="PATH", type=Path, help="default: framework-advisor-compare.FORMAT"
    )
    compare.add_argument(
        "--format", choices=FORMATS, help="default: from the --output suffix, else html"
    )


def _add_fleet_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    fleet = commands.add_parser(
        "fleet", help="benchmark other machines through a scheduler, one record per node"
    )
    schedulers = fleet.add_subparsers(
        dest="scheduler", metavar="SCHEDULER", parser_class=_Parser, required=True
    )
    for name, backend in BACKENDS.items():
        parser = schedulers.add_parser(name, help=backend.help, description=backend.description)
        backend.add_arguments(parser)
        parser.add_argument(
            "--python", metavar="PATH", help="interpreter whose frameworks the nodes measure"
        )
        parser.add_argument("--preset", choices=PRESETS, default="quick")
        parser.add_argument("--output-dir", metavar="DIR", type=Path, required=True)
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be submitted, submit nothing"
        )
        _add_answers_options(parser)
        parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1: {quoted(text)}")
    return int(text)


def _framework_list(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _add_bench_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    bench = commands.add_parser(
        "bench", help="micro-benchmarks of both frameworks on this machine's CPU or GPU"
    )
    size = bench.add_mutually_exclusive_group()
    size.add_argument(
        "--quick",
        dest="preset",
        action="store_const",
        const="quick",
        help="1-1.5 min on 2 CPU cores, the first run longest (default)",
    )
    size.add_argument(
        "--full",
        dest="preset",
        action="store_const",
        const="full",
        help="larger shapes, more repeats: 4-8 min on 2 CPU cores",
    )
    size.add_argument("--preset", choices=PRESETS, help="by name; 'tiny' is for tests")
    bench.set_defaults(preset="quick")
    bench.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="auto: CUDA when every installed framework can use it, else CPU",
    )
    bench.add_argument(
        "--frameworks",
        type=_framework_list,
        default=("torch", "tensorflow"),
        metavar="LIST",
        help="comma-separated (default: torch,tensorflow)",
    )
    bench.add_argument(
        "--threads", type=_positive_int, help="compute threads for both (default: physical cores)"
    )
    bench.add_argument(
        "--python", metavar="PATH", help="interpreter (or venv folder) whose frameworks to run"
    )
    bench.add_argument(
        "--model",
        metavar="FILE.py:FUNCTION",
        help="time your own model instead of the suite (see deploy --model): eager against "
        "compiled, on each back-end it runs on",
    )
    bench.add_argument("--json", action="store_true", help="print the full record as JSON")
    bench.add_argument("--output", metavar="FILE", type=Path, help="also save the record here")
    bench.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _target_list(text: str) -> tuple[str, ...]:
    known = deploy_targets()
    chosen = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown target {quoted(unknown[0] if unknown else text)} "
            f"(choose from {', '.join(known)})"
        )
    return chosen


def _add_deploy_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
    deploy = commands.add_parser(
        "deploy",
        help="export small models through each framework's deployment routes, reload and time them",
        description="Routes whose packages are missing are reported with the command that adds "
        "them; see docs/deployment.md.",
    )
    deploy.add_argument(
        "--targets",
        type=_target_list,
        default=(),
        metavar="LIST",
        help="comma-separated among server,mobile,browser,edge (default: all)",
    )
    deploy.add_argument(
        "--preset",
        choices=PRESETS,
        default="quick",
        help="quick (default); full adds AOTInductor; tiny is for tests",
    )
    deploy.add_argument(
        "--threads", type=_positive_int, default=1, help="threads of every runtime (default 1)"
    )
    deploy.add_argument(
        "--python", metavar="PATH", help="interpreter (or venv folder) whose frameworks to use"
    )
    deploy.add_argument(
        "--model",
        metavar="FILE.py:FUNCTION",
        help="your own model instead of the seeded ones: a function of no arguments returning "
        "(model, example_inputs), run only in that interpreter (or package.module:FUNCTION)",
    )
    deploy.add_argument("--json", action="store_true", help="print the full record as JSON")
    deploy.add_argument("--output", metavar="FILE", type=Path, help="also save the record here")
    deploy.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _check_output(path: Path | None) -> None:
    if path is not None:
        check_output(path)  # before minutes of measuring, not after


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


def _run_probe(args: argparse.Namespace, stops: StopSignals) -> int:
    _check_output(args.output)
    try:
        with _live(args) as out:
            record = probe(args.python, args.timeout, out.line, out.progress, stops.cancel)
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


def _run_bench(args: argparse.Namespace, stops: StopSignals) -> int:
    _check_output(args.output)
    if args.model:
        return _run_model_bench(args, stops)
    options = BenchOptions(args.preset, args.device, args.frameworks, args.threads)
    with _live(args) as out:
        record = measure(options, args.python, _bench_output(args.preset, out), stops.cancel)
    compared = comparison(record)
    assert record.benchmarks is not None and compared is not None
    _emit(record, args, format_benchmarks(compared))
    if record.benchmarks.cancelled:
        raise CancelledError("cancelled: the partial results above are not kept as the latest run")
    if not any(s.status == "ok" for s in record.benchmarks.suites):
        raise JobFailedError("no framework could run (reasons above); the latest run is unchanged")
    _remember(record)
    return EXIT_OK


def _run_model_bench(args: argparse.Namespace, stops: StopSignals) -> int:
    """`bench --model`: printed and saved, never kept as the suite's latest run."""
    if args.device == "cuda":
        raise UsageError("--model is timed on the CPU only (--device cuda is not supported yet)")
    model = user_model(args.model)
    with _live(args) as out:
        record = measure_model(
            model, args.preset, args.threads, args.python, out.line, stops.cancel
        )
    run = record.benchmarks
    assert run is not None
    _emit(record, args, format_model_bench(run))
    if run.cancelled:
        raise CancelledError("cancelled: the partial results above are not kept")
    if not any(c.status == "ok" for s in run.suites for c in s.cases):
        raise JobFailedError("your model could not be timed on any back-end (reasons above)")
    return EXIT_OK


def _run_deploy(args: argparse.Namespace, stops: StopSignals) -> int:
    _check_output(args.output)
    model = user_model(args.model) if args.model else None
    options = DeployOptions(args.preset, args.targets, args.threads, model=model)
    with _live(args) as out:
        record = deploy(options, args.python, _deploy_output(out), stops.cancel)
    run = record.deployment
    assert run is not None
    _emit(record, args, format_deployment(run))
    if run.cancelled:
        raise CancelledError("cancelled: the partial results above are not kept as the latest run")
    if not any(r.status not in ("not_installed", "skipped") for r in run.routes):
        raise JobFailedError("no route could be tried here (reasons above); nothing was kept")
    _remember(record)
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


def _remember(record: Record) -> Record:
    """Keep the run as the latest; the record as kept (with what it adds to the stored one)."""
    kept, problem = remember_run(record, knowledge())
    if problem:
        print(f"{PROG}: warning: {shortened(problem)}", file=sys.stderr)
    return kept


def _read_record(path: Path, option: str) -> Record:
    return read_record(path, f"{option} {path}")


def _load_results(path: Path | None) -> tuple[Record | None, str]:
    """The record whose benchmark and deployment runs to weigh, and where it came from."""
    if path is None:
        return stored_results(knowledge())
    record = _read_record(path, "--results")
    if record.benchmarks is None and record.deployment is None:
        raise UsageError(f"--results {path}: the record holds no benchmark or deployment run")
    return record, f"results from {path} ({record.created_at})"


def _given_answers(args: argparse.Namespace, known: Knowledge) -> Answers | None:
    return given_answers(args.answers, args.profile, known)


def _answers_and_code(
    args: argparse.Namespace, known: Knowledge, cancel: threading.Event
) -> tuple[Answers | None, CodeReading | None]:
    """The user's answers, under which a scan's proposals (--scan) fill the rest."""
    given = _given_answers(args, known)
    if not args.scan:
        return given, None
    findings = _scanned(args.scan, False, args, cancel)
    if findings.result.cancelled:  # the command itself has not begun: nothing to keep
        raise CancelledError("cancelled by the user while reading the project")
    answers, code = scanned_answers(given, findings, known)
    sys.stderr.write(format_origins(answers, code))
    return answers, code


def _scanned(
    paths: list[Path], include_vendored: bool, args: argparse.Namespace, cancel: threading.Event
) -> Findings:
    started = time.monotonic()
    with _live(args) as out:

        def show(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            out.progress(Progress("reading files", done, total, elapsed, None))

        return scan_code(paths, include_vendored, show, cancel)


def _run_scan(args: argparse.Namespace, stops: StopSignals) -> int:
    if args.output is not None:
        _check_output(args.output)
    known = knowledge()
    findings = _scanned(args.paths, args.include_vendored, args, stops.cancel)
    text = scan_json(findings) if args.json else format_scan(findings, known)
    if args.leave_out_identity:
        for root in findings.result.roots:
            text = text.replace(root, SCANNED_FOLDER)
    sys.stdout.write(text)
    if args.output is not None:
        write_text(args.output, scan_answers_toml(findings))
        print(f"answers file written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _run_recommend(args: argparse.Namespace, stops: StopSignals) -> int:
    known = knowledge()
    answers = _answers_and_code(args, known, stops.cancel)[0] or fresh_answers(known)
    record, origin = _load_results(args.results)
    print(shortened(origin), file=sys.stderr)
    rec = advise(known, answers, comparison(record) if record is not None else None, record)
    if args.json:
        sys.stdout.write(as_json(verdict(rec)) + "\n")
    else:
        sys.stdout.write(format_recommendation(rec))
    return EXIT_OK


def _measured(args: argparse.Namespace, stops: StopSignals) -> Record:
    """The record to report on: saved (--from, --results) or measured now.

    A measurement stopped by the user is reported as it stands (the report says the run
    was cancelled) but not kept as the latest run, as `bench` does.
    """
    if args.saved is not None:
        return _read_record(args.saved, "--from")
    if args.results is not None:
        record, _origin = _load_results(args.results)
        assert record is not None
        return record
    options = BenchOptions(args.preset)
    with _live(args) as out:
        listen = _bench_output(args.preset, out)
        record = measure(options, args.python, listen, stops.cancel, "framework-advisor report")
    assert record.benchmarks is not None
    return record if record.benchmarks.cancelled else _remember(record)


def _run_report(args: argparse.Namespace, stops: StopSignals) -> int:
    fmt = report_format(args.output, args.format)
    output = args.output or Path(f"framework-advisor-report.{fmt}")
    _check_output(output)
    known = knowledge()
    answers, code = _answers_and_code(args, known, stops.cancel)
    record = _measured(args, stops)
    if answers is not None or record.answers is None:
        record = with_answers(record, answers or fresh_answers(known), code)
    view = report(record, known)
    # The report of a run measured just now is what finished: no signal cuts it short.
    measured_now = args.results is None and args.saved is None
    export(
        record, output, fmt, view, args.leave_out_identity, None if measured_now else stops.cancel
    )
    print(f"{headline(view.recommendation)}; {fmt.upper()} report written to {output}")
    if measured_now and record.benchmarks is not None and record.benchmarks.cancelled:
        raise CancelledError(
            f"cancelled while measuring: the report written to {output} holds the partial "
            "results; they are not kept as the latest run"
        )
    return EXIT_OK


def _run_compare(args: argparse.Namespace, stops: StopSignals) -> int:
    if len(args.records) < 2:
        raise UsageError("compare needs two or more records (see framework-advisor compare --help)")
    fmt = report_format(args.output, args.format)
    output = args.output or Path(f"framework-advisor-compare.{fmt}")
    _check_output(output)
    known = knowledge()
    answers = _given_answers(args, known) or fresh_answers(known)
    view = _write_comparison(args.records, answers, known, output, fmt, stops.cancel)
    assert view.fleet is not None
    sys.stdout.write(format_fleet(view.fleet))
    print(f"{headline(view.recommendation)}; {fmt.upper()} report written to {output}")
    return EXIT_OK


def _write_comparison(
    paths: list[Path],
    answers: Answers,
    known: Knowledge,
    output: Path,
    fmt: Format,
    cancel: threading.Event | None,
    absent: Sequence[SetAside] = (),
) -> ReportView:
    """The machines' records compared and written as one report; its view."""
    record, fleet = compare_machines(paths, answers, known, absent)
    view = report(record, known, fleet=fleet)
    export(record, output, fmt, view, cancel=cancel)
    return view


def _run_fleet(args: argparse.Namespace, stops: StopSignals) -> int:
    request = FleetRequest(args.output_dir.absolute(), args.preset, args.python)
    backend = BACKENDS[args.scheduler].from_arguments(request, args)
    if args.dry_run:
        sys.stdout.write(backend.preview())
        return EXIT_OK
    known = knowledge()
    answers = _given_answers(args, known) or fresh_answers(known)
    with _live(args) as out:
        run = fleet(backend, out.line, stops.cancel, out.progress)
    for task in run.tasks:
        print(f"{task.task}: {task.record}" if task.record else task.problem())
    if not run.records and run.cancelled:
        raise CancelledError(
            f"cancelled: {run.submitted} was cancelled before any node brought a record"
        )
    if not run.records:
        raise JobFailedError(
            f"no node brought a record: see the lines above and the logs in {args.output_dir}"
        )
    absent = [SetAside(t.task, t.problem()) for t in run.tasks if t.record is None]
    output = request.output_dir / "fleet-report.html"
    view = _write_comparison(run.records, answers, known, output, "html", None, absent)
    print(f"{headline(view.recommendation)}; HTML report written to {output}")
    if run.cancelled:
        raise CancelledError(
            f"cancelled: {run.submitted} was cancelled; "
            f"the report holds the {len(run.records)} record(s) that finished"
        )
    return EXIT_OK


def _run_questions(args: argparse.Namespace, _stops: StopSignals) -> int:
    known = knowledge()
    if args.template is None:
        sys.stdout.write(format_questions(known))
    elif args.template == "-":
        sys.stdout.write(answers_template(known))
    else:
        write_text(Path(args.template), answers_template(known))
        print(f"answers template written to {args.template}", file=sys.stderr)
    return EXIT_OK


def _run_environments(args: argparse.Namespace, stops: StopSignals) -> int:
    found = environments(stops.cancel)
    if args.json:
        print(as_json(found))
        return EXIT_OK
    for environment in found:
        where = environment.candidate
        print(f"{environment.label()}\n    {where.python}  [{where.source}]")
    return EXIT_OK


def _run_knowledge(args: argparse.Namespace, _stops: StopSignals) -> int:
    today = date.today()
    if args.json:
        print(as_json(knowledge_listing(knowledge(), today)))
    else:
        sys.stdout.write(format_knowledge(knowledge(), today))
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
        with stop_signals() as stops:
            code = runners[args.command](args, stops)
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
