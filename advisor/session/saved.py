"""The saved form of a working session: answers and records as a versioned JSON file.

Both front-ends keep one in the user data folder (see store.py); the app opens or saves
others on request. The file is checked in full before anything of the current session is
replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.base.errors import RecordFormatError, quoted
from advisor.base.fileio import atomic_write_text, read_text_file
from advisor.base.serde import SchemaError, dumps, from_jsonable
from advisor.record import (
    READABLE_SCHEMA_VERSIONS,
    SCHEMA_VERSION,
    CodeReading,
    Record,
    SavedAnswers,
    parse_json,
)
from advisor.scoring.answers import Answers, saved_answers
from advisor.scoring.knowledge import Knowledge

# 2 added other_environments (a version-1 file has none); 3: the answers' origins name
# every value nobody gave (before, a value equal to its default read as one).
SESSION_SCHEMA_VERSION = 3
READABLE_SESSION_VERSIONS = (1, 2, SESSION_SCHEMA_VERSION)
SESSION_KIND = "framework-advisor-session"


@dataclass(frozen=True)
class SavedSession:
    """What the user has answered and what was last measured (None until a probe ran)."""

    answers: Answers
    record: Record | None
    others: tuple[Record, ...] = ()  # benchmark records added from other machines
    # This machine's other Python environments, each record with the runs measured there:
    # choosing another interpreter shelves the current record here, never discards it.
    other_environments: tuple[Record, ...] = ()
    code: CodeReading | None = None  # the latest scan of the user's code, if any
    model: str | None = None  # "Your model…": FILE.py:FUNCTION, as chosen (never run here)


@dataclass(frozen=True)
class _SessionFile:
    """The JSON layout of a session file."""

    schema_version: int
    kind: str
    answers: SavedAnswers
    record: Record | None = None
    others: tuple[Record, ...] = ()
    other_environments: tuple[Record, ...] = ()
    model: str | None = None


def session_to_json(session: SavedSession) -> str:
    """The session as indented JSON text."""
    layout = _SessionFile(
        SESSION_SCHEMA_VERSION,
        SESSION_KIND,
        SavedAnswers(
            session.answers.source,
            dict(session.answers.values),
            dict(session.answers.origins),
            session.code,
        ),
        session.record,
        session.others,
        session.other_environments,
        session.model,
    )
    return dumps(layout) + "\n"


def save_session(session: SavedSession, path: Path) -> None:
    """Write the session atomically."""
    atomic_write_text(path, session_to_json(session))


def load_session(path: Path, knowledge: Knowledge) -> SavedSession:
    """Read and check a session file; any problem is one UsageError naming the file."""
    return parse_session(read_text_file(path, str(path)), str(path), knowledge)


def parse_session(text: str, source: str, knowledge: Knowledge) -> SavedSession:
    """A session from JSON text, with the answers checked against the questionnaire."""
    data = _json_object(text, source)
    if data.get("kind") != SESSION_KIND:
        raise RecordFormatError(f"{source}: not a Framework Advisor session file")
    if data.get("schema_version") not in READABLE_SESSION_VERSIONS:
        raise RecordFormatError(
            f"{source}: session schema_version {quoted(data.get('schema_version'))} is not "
            f"supported (expected 1 to {SESSION_SCHEMA_VERSION})"
        )
    try:
        layout = from_jsonable(_SessionFile, data)
    except SchemaError as exc:
        raise RecordFormatError(f"{source}: {exc}") from exc
    for record in (layout.record, *layout.others, *layout.other_environments):
        if record is not None and record.schema_version not in READABLE_SCHEMA_VERSIONS:
            raise RecordFormatError(
                f"{source}: record schema_version {record.schema_version} is not supported "
                f"(expected 1 to {SCHEMA_VERSION})"
            )
    legacy = layout.schema_version < SESSION_SCHEMA_VERSION
    answers = saved_answers(layout.answers, knowledge, legacy)
    return SavedSession(
        answers,
        layout.record,
        layout.others,
        layout.other_environments,
        layout.answers.code,
        layout.model,
    )


def _json_object(text: str, source: str) -> dict[str, Any]:
    data = parse_json(text, source)
    if not isinstance(data, dict):
        raise RecordFormatError(f"{source}: not a Framework Advisor session file")
    return data
