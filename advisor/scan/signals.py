"""The signs a scan looks for (resources/scan.toml), typed and checked against the questions."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from advisor.base.errors import ResourceError, quoted
from advisor.base.resources_path import load_toml, resource_file
from advisor.scoring.knowledge import Knowledge, knowledge

FRAMEWORK_KINDS = ("torch", "tensorflow", "keras", "keras3")
MATCHERS = (
    "imports",
    "calls",
    "keywords",
    "devices",
    "dependencies",
    "npm",
    "gradle",
    "pods",
    "includes",
    "config",
    "artifacts",
)
_KEYS = {"id", "says", "framework", "sets", "suggests", *MATCHERS}


@dataclass(frozen=True)
class Support:
    """An option a sign speaks for."""

    question: str
    option: str


@dataclass(frozen=True)
class Signal:
    """One sign: how it is matched and which answers it supports."""

    id: str
    says: str
    framework: str | None
    sets: tuple[Support, ...]
    suggests: tuple[str, ...]
    imports: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    npm: tuple[str, ...] = ()
    gradle: tuple[str, ...] = ()
    pods: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    config: tuple[str, ...] = ()
    artifacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignalTable:
    """Every sign, in file order."""

    signals: tuple[Signal, ...]

    def by_id(self) -> dict[str, Signal]:
        """Signal id -> signal."""
        return {s.id: s for s in self.signals}


def parse_signals(data: dict[str, Any], known: Knowledge, source: str) -> SignalTable:
    """The table from parsed TOML; a ResourceError names the entry and the problem."""
    entries = data.get("signal")
    if not isinstance(entries, list) or not entries:
        raise ResourceError(f"{source}: no [[signal]] entries")
    signals = tuple(_signal(entry, known, source) for entry in entries)
    ids = [s.id for s in signals]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ResourceError(f"{source}: signal id {quoted(repeated[0])} appears twice")
    return SignalTable(signals)


def _signal(entry: Any, known: Knowledge, source: str) -> Signal:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise ResourceError(f"{source}: a [[signal]] without an id")
    where = f"{source}: signal {quoted(entry['id'])}"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ResourceError(f"{where}: unknown key {quoted(unknown[0])}")
    if not isinstance(entry.get("says"), str) or not entry["says"]:
        raise ResourceError(f"{where}: 'says' must be a phrase")
    framework = entry.get("framework")
    if framework is not None and framework not in FRAMEWORK_KINDS:
        raise ResourceError(f"{where}: framework must be one of {', '.join(FRAMEWORK_KINDS)}")
    matchers = {key: _strings(entry, key, where) for key in MATCHERS}
    if not any(matchers.values()):
        raise ResourceError(f"{where}: no matcher ({', '.join(MATCHERS)})")
    for pattern in matchers["config"]:
        _check_regex(pattern, where)
    return Signal(
        id=entry["id"],
        says=entry["says"],
        framework=framework,
        sets=_supports(entry.get("sets", []), known, where),
        suggests=_suggestions(_strings(entry, "suggests", where), known, where),
        **matchers,
    )


def _strings(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ResourceError(f"{where}: {quoted(key)} must be a list of non-empty strings")
    return tuple(value)


def _check_regex(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ResourceError(f"{where}: config pattern {quoted(pattern)}: {exc}") from exc


def _supports(value: Any, known: Knowledge, where: str) -> tuple[Support, ...]:
    if not isinstance(value, list):
        raise ResourceError(f"{where}: 'sets' must be a list")
    questions = {q.id: q for q in known.questions}
    supports = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"question", "option"}:
            raise ResourceError(f"{where}: each of 'sets' needs question and option")
        question = questions.get(item["question"])
        if question is None or question.kind == "importance" or question.id == "requirements":
            raise ResourceError(
                f"{where}: sets unknown or unsettable question {quoted(item['question'])}"
            )
        if item["option"] not in {o.id for o in question.options}:
            raise ResourceError(f"{where}: {question.id} has no option {quoted(item['option'])}")
        supports.append(Support(question.id, item["option"]))
    return tuple(supports)


def _suggestions(value: tuple[str, ...], known: Knowledge, where: str) -> tuple[str, ...]:
    musts = {o.id for q in known.questions if q.id == "requirements" for o in q.options}
    for item in value:
        if item not in musts:
            raise ResourceError(f"{where}: suggests unknown must-have {quoted(item)}")
    return value


@functools.cache
def signal_table() -> SignalTable:
    """The shipped table, read and checked against the shipped questions once."""
    path = resource_file("scan.toml")
    return parse_signals(load_toml(path), knowledge(), str(path))
