"""The terminal front-end: parse arguments, call the session API, print, map errors to exit codes.

Exit codes: 0 success; 1 the job failed; 2 bad input or usage; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from advisor import __version__
from advisor.errors import AdvisorError, UsageError
from advisor.inventory import DEFAULT_PROBE_TIMEOUT_S, take_inventory
from advisor.record import record_to_json, save_record
from advisor.textsummary import format_inventory

PROG = "framework-advisor"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and a UsageError, never a SystemExit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text!r}")
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
    return parser


def _run_probe(args: argparse.Namespace) -> int:
    if args.output is not None and not args.output.parent.is_dir():
        # Fail before minutes of probing, not after.
        raise UsageError(f"cannot write {args.output}: folder {args.output.parent} does not exist")
    on_progress = None if args.quiet else _say
    record = take_inventory(args.python, args.timeout, on_progress=on_progress)
    if args.output is not None:
        save_record(record, args.output)
    sys.stdout.write(record_to_json(record) if args.json else format_inventory(record))
    if args.output is not None and not args.quiet:
        print(f"record saved to {args.output}", file=sys.stderr)
    return EXIT_OK


def _say(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        return _run_probe(args)
    except AdvisorError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if os.environ.get("FRAMEWORK_ADVISOR_DEBUG"):
            traceback.print_exc()
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} "
            "(set FRAMEWORK_ADVISOR_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED
