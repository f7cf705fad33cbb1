"""The session service: the decisions both front-ends share, over one store in the user data folder.

The terminal and the app keep one session (answers + latest record) in
`session.json` in the user data folder: a run measured with `framework-advisor bench`
is what the app shows at its next launch, and a run measured in the app is what
`framework-advisor recommend` weighs by default. The store written by earlier
versions of the terminal commands (`latest-results.json`) is read once and migrated.
Nothing here prints or knows about Qt; errors are AdvisorErrors naming the file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from advisor.datadir import data_dir
from advisor.errors import AdvisorError
from advisor.fileio import read_text_file
from advisor.record import Record, record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import Knowledge
from advisor.session import Session, load_session, save_session

STORE_NAME = "session.json"
LEGACY_RESULTS_NAME = "latest-results.json"  # the terminal's store before the shared one
MIGRATED_RESULTS_NAME = "latest-results-migrated.json"
NO_RESULTS = "no saved benchmark results: static criteria only"


@dataclass(frozen=True)
class Restored:
    """The stored session, and why part of what was stored could not be used ("" if all was)."""

    session: Session
    problem: str


def store_path() -> Path:
    """The one file both front-ends keep the current session in."""
    return data_dir() / STORE_NAME


def _moved_aside(path: Path, stem: str) -> Path:
    """Rename an unreadable file out of the way (never delete it) and return where it went."""
    kept = path.with_name(f"{stem}-{int(time.time())}.json")
    path.replace(kept)
    return kept


def restore(known: Knowledge) -> Restored:
    """The stored session; a fresh one (and why) when the store cannot be read.

    An unreadable store is moved aside so the next save cannot overwrite what the user
    might still want. A legacy `latest-results.json` is folded in once (its record
    replaces an older one) and renamed, so it is not read again.
    """
    path = store_path()
    session, problems = Session(default_answers(known), None), []
    if path.is_file():
        try:
            session = load_session(path, known)
        except AdvisorError as exc:
            kept = _moved_aside(path, "session-unreadable")
            problems.append(
                f"The last session could not be restored ({exc}); it was kept as {kept}"
            )
    legacy = data_dir() / LEGACY_RESULTS_NAME
    if legacy.is_file():
        session, problem = _migrated(session, legacy)
        problems += [problem] if problem else []
    return Restored(session, "; ".join(problems))


def _migrated(session: Session, legacy: Path) -> tuple[Session, str]:
    try:
        record = record_from_json(read_text_file(legacy, str(legacy)), str(legacy))
    except AdvisorError as exc:
        kept = _moved_aside(legacy, "latest-results-unreadable")
        return session, f"The saved benchmark results could not be read ({exc}); kept as {kept}"
    current = session.record
    if current is None or current.created_at <= record.created_at:
        session = Session(session.answers, record)
    save_session(session, store_path())
    legacy.replace(legacy.with_name(MIGRATED_RESULTS_NAME))
    return session, ""


def save(session: Session) -> None:
    """Keep the session in the store (atomically)."""
    save_session(session, store_path())


def remember_run(record: Record, known: Knowledge) -> None:
    """A finished run becomes the store's record; the stored answers stay as they were."""
    save(Session(restore(known).session.answers, record))


def stored_results(known: Knowledge) -> tuple[Record | None, str]:
    """The store's record when it holds a benchmark run, and a line saying where it came from."""
    record = restore(known).session.record
    if record is None or record.benchmarks is None:
        return None, NO_RESULTS
    return record, f"benchmark results from {store_path()} ({record.created_at})"


def merged(current: Session, opened: Session) -> tuple[Session, bool]:
    """An opened session in place of the current one; True when this machine's record was kept.

    A session saved before anything was measured brings answers only: the current
    measurements stay, as they still describe this machine.
    """
    kept = opened.record is None and current.record is not None
    return Session(opened.answers, opened.record or current.record), kept
