"""The command-line grammar: every command, its options and their checks."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from advisor import __version__
from advisor.base.errors import UsageError, quoted
from advisor.bench.spec import PRESETS
from advisor.fleet.registry import BACKENDS
from advisor.probing.inventory import DEFAULT_PROBE_TIMEOUT_S
from advisor.report.export import FORMATS
from advisor.session.decisions import deploy_targets

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
        help="45 s on 2 CPU cores, the first run 1 min (default)",
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
