"""The signal table turned into lookups: matcher value -> the signals it stands for."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from advisor.scan.signals import SignalTable

_LOWER_BOUND = re.compile(r"(?:>=|==|~=|>|=)\s*v?(\d+)")


@dataclass(frozen=True)
class Dependency:
    """A dependency matcher: a normalised name and an optional lowest major version."""

    name: str
    min_major: int | None


@dataclass(frozen=True)
class Matcher:
    """Fast lookups built once per scan (and sent to worker processes)."""

    imports: dict[str, frozenset[str]]
    calls: dict[str, frozenset[str]]
    methods: dict[str, frozenset[str]]
    keywords: dict[str, frozenset[str]]
    devices: dict[str, frozenset[str]]
    dependencies: tuple[tuple[Dependency, str], ...]
    npm: tuple[tuple[str, str], ...]
    gradle: tuple[tuple[str, str], ...]
    pods: dict[str, frozenset[str]]
    includes: tuple[tuple[str, str], ...]
    config: tuple[tuple[re.Pattern[str], str], ...]
    artifacts: tuple[tuple[str, str], ...]
    # Words that make a Python statement worth parsing in any file: method names, device
    # strings and keyword values (the qualified call names depend on each file's imports).
    call_words: tuple[str, ...]
    # Every dotted prefix of a call sign -> the call signs under it ("torch" -> torch.compile...).
    under: dict[str, tuple[str, ...]]


def dotted_hits(table: dict[str, frozenset[str]], name: str) -> set[str]:
    """Signals of ``name`` and of every dotted prefix of it (torch.cuda.x matches torch.cuda)."""
    hits: set[str] = set()
    end = 0
    while end != -1:
        end = name.find(".", end + 1)
        prefix = name if end == -1 else name[:end]
        hits |= table.get(prefix, frozenset())
    return hits


def normalised_package(name: str) -> str:
    """A Python distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_matches(wanted: Dependency, name: str, spec: str) -> bool:
    """Whether a declared dependency (name and version spec) meets a matcher."""
    if normalised_package(name) != wanted.name:
        return False
    if wanted.min_major is None:
        return True
    bound = _LOWER_BOUND.search(spec)
    return bound is not None and int(bound.group(1)) >= wanted.min_major


def build_matcher(table: SignalTable) -> Matcher:
    """The lookups for one table."""
    grouped: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for signal in table.signals:
        for key in ("imports", "keywords", "devices", "pods"):
            for value in getattr(signal, key):
                grouped[key][value].add(signal.id)
        for call in signal.calls:
            kind = "methods" if call.startswith(".") else "calls"
            grouped[kind][call.lstrip(".")].add(signal.id)
        for key in ("dependencies", "npm", "gradle", "includes", "config", "artifacts"):
            pairs[key].extend((value, signal.id) for value in getattr(signal, key))
    frozen = {k: {v: frozenset(ids) for v, ids in d.items()} for k, d in grouped.items()}
    return Matcher(
        imports=frozen.get("imports", {}),
        calls=frozen.get("calls", {}),
        methods=frozen.get("methods", {}),
        keywords=frozen.get("keywords", {}),
        devices=frozen.get("devices", {}),
        dependencies=tuple((_dependency(v), s) for v, s in pairs["dependencies"]),
        npm=tuple(pairs["npm"]),
        gradle=tuple(pairs["gradle"]),
        pods=frozen.get("pods", {}),
        includes=tuple(pairs["includes"]),
        config=tuple((re.compile(v), s) for v, s in pairs["config"]),
        artifacts=tuple(pairs["artifacts"]),
        call_words=_call_words(frozen),
        under=_under(frozen.get("calls", {})),
    )


def _under(calls: dict[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for call in calls:
        parts = call.split(".")
        for end in range(1, len(parts)):
            found[".".join(parts[:end])].append(call)
    return {prefix: tuple(under) for prefix, under in found.items()}


def _dependency(text: str) -> Dependency:
    name, _, major = text.partition(">=")
    return Dependency(normalised_package(name), int(major) if major else None)


def _call_words(frozen: dict[str, dict[str, frozenset[str]]]) -> tuple[str, ...]:
    words = set(frozen.get("methods", {})) | set(frozen.get("devices", {}))
    for keyword in frozen.get("keywords", {}):
        name, _, value = keyword.partition("=")
        words.add(value or name)
    return tuple(sorted(words))
