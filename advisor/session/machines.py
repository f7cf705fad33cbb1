"""Records read from files and other machines compared with this one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from advisor.base.errors import RecordFormatError, UsageError
from advisor.base.fileio import read_text_file
from advisor.comparison import Comparison
from advisor.fleet.compare import Fleet, SetAside, build_fleet
from advisor.record import BenchmarkRun, Record, parse_json, record_from_json
from advisor.report.view import with_answers
from advisor.scoring.answers import Answers
from advisor.scoring.knowledge import Knowledge
from advisor.scoring.knowledge import knowledge as shipped_knowledge
from advisor.session.saved import SESSION_KIND, parse_session


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


def fleet_of(
    record: Record,
    others: Sequence[Record],
    answers: Answers,
    known: Knowledge,
    compared: Callable[[BenchmarkRun], Comparison],
) -> Fleet:
    """This machine's record beside the others added to the session (see fleet/compare.py);
    `compared` gives each run's comparison."""
    entries = [(THIS_MACHINE, record)] + [
        (f"added: {o.machine.system.hostname} ({o.created_at})", o) for o in others
    ]
    try:
        return build_fleet(entries, known, answers, compared=compared)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
