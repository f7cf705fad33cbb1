"""The user's answers: TOML files in, validated against the questionnaire, defaults filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.base.errors import UsageError, quoted
from advisor.base.fileio import read_text_file
from advisor.base.tomltext import parse_toml
from advisor.record import SavedAnswers
from advisor.scoring.knowledge import Knowledge, Question

MAX_LEVEL = 5
DEFAULTS_SOURCE = "built-in defaults"
# Origins of the values nobody gave: the questionnaire's default, or a better default
# that the probe of this machine chose (no NVIDIA GPU: CPU only). Neither is an answer.
DEFAULT_ORIGIN = "default"
PROBE_ORIGIN = "this machine's probe"
NOT_ANSWERED = (DEFAULT_ORIGIN, PROBE_ORIGIN)


@dataclass(frozen=True)
class Answers:
    """Question id -> option id (single), option ids (multi) or level 0-5 (importance)."""

    values: dict[str, Any]
    source: str
    # Where an answer did not come from `source`: question id -> origin, "your code" for
    # one a scan proposed, or one of NOT_ANSWERED for a value nobody gave. Empty when
    # every answer came from `source`.
    origins: dict[str, str] = field(default_factory=dict)
    # One line per retired option id read under its new name (questions.toml [[renamed]]).
    notes: tuple[str, ...] = field(default=(), compare=False)


def default_answers(knowledge: Knowledge) -> Answers:
    """Every question at its documented default: the built-in default profile."""
    values = {q.id: q.default for q in knowledge.questions}
    return Answers(values, DEFAULTS_SOURCE, dict.fromkeys(values, DEFAULT_ORIGIN))


def unanswered(answers: Answers, knowledge: Knowledge) -> tuple[str, ...]:
    """The ids of the questions nobody answered (at a default), in the questionnaire's order."""
    return tuple(
        q.id
        for q in knowledge.questions
        if q.id not in answers.values or answers.origins.get(q.id) in NOT_ANSWERED
    )


def parse_answers(text: str, source: str, knowledge: Knowledge) -> Answers:
    """Answers from TOML text; one clear UsageError naming the file, key and problem."""
    return checked_answers(parse_toml(text, source), source, knowledge)


def checked_answers(data: dict[str, Any], source: str, knowledge: Knowledge) -> Answers:
    """Answers from question id -> value pairs (a TOML file or a saved record), checked."""
    data = {key: value for key, value in data.items() if key != "schema_version"}
    questions = {q.id: q for q in knowledge.questions}
    values = dict(default_answers(knowledge).values)
    notes: list[str] = []
    for key, value in data.items():
        question = questions.get(key)
        if question is None:
            raise UsageError(f"{source}: key {quoted(key)}: unknown question id")
        renamed, found = _renamed(knowledge, key, value)
        notes += found
        values[key] = _checked(question, renamed, source)
    origins = {key: DEFAULT_ORIGIN for key in values if key not in data}
    return Answers(values, source, origins, tuple(notes))


def saved_answers(saved: SavedAnswers, knowledge: Knowledge, legacy: bool) -> Answers:
    """Answers as a record or session saved them, checked against today's questionnaire.

    `legacy`: saved before the origins named the defaults; a value equal to its
    question's default, with no other origin, then reads as a default, as it showed.
    """
    checked = checked_answers(saved.values, saved.source, knowledge)
    origins = {**checked.origins, **saved.origins}  # a question added since: its default
    if legacy:
        for question in knowledge.questions:
            same = same_answer(checked.values[question.id], question.default)
            if same and question.id not in origins:
                origins[question.id] = DEFAULT_ORIGIN
    return Answers(checked.values, checked.source, origins, checked.notes)


def _renamed(knowledge: Knowledge, question_id: str, value: Any) -> tuple[Any, list[str]]:
    """The value with retired option ids read as their replacements, and a note for each."""
    renames = {r.old: r for r in knowledge.renamed if r.question == question_id}
    if isinstance(value, str) and value in renames:
        return renames[value].new[0], [renames[value].note]
    if not isinstance(value, list) or not renames.keys() & set(map(str, value)):
        return value, []
    read: list[Any] = []
    for item in value:
        for new in renames[item].new if isinstance(item, str) and item in renames else (item,):
            if new not in read:
                read.append(new)
    return read, [renames[i].note for i in value if isinstance(i, str) and i in renames]


def with_proposals(
    given: Answers | None, proposed: dict[str, Any], origin: str, knowledge: Knowledge
) -> Answers:
    """Proposed answers (a scan's) under the ones the user gave: the user's always win."""
    base = given or default_answers(knowledge)
    values, origins = dict(base.values), dict(base.origins)
    open_questions = unanswered(base, knowledge)
    for key, value in proposed.items():
        if key in open_questions:
            values[key] = value
            origins[key] = origin
    source = f"{base.source} and {origin}" if given is not None else origin
    return Answers(values, source, origins)


def load_answers(path: Path, knowledge: Knowledge) -> Answers:
    """Answers from a file."""
    return parse_answers(read_text_file(path, str(path), "answers"), str(path), knowledge)


def same_answer(value: Any, other: Any) -> bool:
    """Two answers are the same, the order of a multi-choice answer aside."""
    if isinstance(value, list) and isinstance(other, list):
        return sorted(value) == sorted(other)
    return bool(value == other)


def _checked(question: Question, value: Any, source: str) -> Any:
    where = f"{source}: key {quoted(question.id)}"
    offered = [o.id for o in question.options]
    if question.kind == "importance":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LEVEL:
            raise UsageError(f"{where}: expected a whole number 0-{MAX_LEVEL}, got {quoted(value)}")
        return value
    if question.kind == "single":
        if not isinstance(value, str):
            raise UsageError(f"{where}: expected one option id (text), got {quoted(value)}")
        if value not in offered:
            raise UsageError(f"{where}: option {quoted(value)} not offered ({', '.join(offered)})")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: expected a list of option ids, got {quoted(value)}")
    for item in value:
        if item not in offered:
            raise UsageError(f"{where}: option {quoted(item)} not offered ({', '.join(offered)})")
    if len(set(value)) != len(value):
        raise UsageError(f"{where}: an option is listed twice")
    return list(value)


def template(knowledge: Knowledge) -> str:
    """An answers file to fill in: every question as a comment, its default as the value."""
    lines = ["# Framework Advisor answers. Edit the values; delete a line to use its default.", ""]
    for question in knowledge.questions:
        lines.append(f"# {question.text} {question.help}")
        if question.kind == "importance":
            lines.append(f"# 0 (not at all) .. {MAX_LEVEL} (essential)")
        else:
            many = "one or more of" if question.kind == "multi" else "one of"
            lines.append(f"# {many}: " + ", ".join(f"{o.id} ({o.label})" for o in question.options))
        lines.append(f"{question.id} = {toml_value(question.default)}")
        lines.append("")
    return "\n".join(lines)


def toml_value(value: Any) -> str:
    """An answer value as TOML writes it."""
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
