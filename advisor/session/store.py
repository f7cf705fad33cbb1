"""The store: the one session file both front-ends keep, restored, migrated and autosaved.

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
import time
from dataclasses import dataclass, replace
from pathlib import Path

from advisor.base.datadir import data_dir
from advisor.base.errors import AdvisorError, DataFolderError
from advisor.base.fileio import read_text_file
from advisor.record import Record, record_from_json, save_record
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import Knowledge
from advisor.session.runs import placed_run
from advisor.session.saved import SavedSession, load_session, save_session

STORE_NAME = "session.json"
LEGACY_RESULTS_NAME = "latest-results.json"  # the terminal's store before the shared one
MIGRATED_RESULTS_NAME = "latest-results-migrated.json"
NO_RESULTS = "no saved benchmark or deployment results: static criteria only"


@dataclass(frozen=True)
class Restored:
    """The stored session, and why part of what was stored could not be used ("" if all was)."""

    session: SavedSession
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
    session, problems = SavedSession(default_answers(known), None), []
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


def set_aside(reason: str, known: Knowledge) -> Restored:
    """Move the stored session out of the way after it failed to show: a fresh session, and
    where the stored one went.

    For a session that loads but cannot be drawn: the next start must not fail the same way.
    """
    try:
        kept = _moved_aside(store_path(), "session-unusable")
    except DataFolderError as exc:
        kept = str(exc)
    fresh = SavedSession(default_answers(known), None)
    return Restored(fresh, f"The last session could not be shown ({reason}); {kept}")


def _migrated(session: SavedSession, legacy: Path) -> tuple[SavedSession, str]:
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


def save(session: SavedSession) -> None:
    """Keep the session in the store (atomically)."""
    save_session(session, store_path())


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
