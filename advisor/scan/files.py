"""One file of a scanned project: what kind it is, reading it safely, and the signs it shows."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from fnmatch import fnmatch

from advisor.scan import readers
from advisor.scan.matcher import Matcher
from advisor.scan.python_source import read_python
from advisor.scan.walk import FoundFile

# Source and configuration files are far smaller; a bigger one is generated or data.
MAX_TEXT_BYTES = 2 << 20
MAX_NOTEBOOK_BYTES = 16 << 20  # notebooks carry their outputs (images) inline

SOURCE_KINDS = frozenset({"python", "setup_py", "notebook", "c", "javascript"})
_SUFFIX_KINDS = {
    ".py": "python",
    ".pyw": "python",
    ".ipynb": "notebook",
    ".c": "c",
    ".cc": "c",
    ".cpp": "c",
    ".cxx": "c",
    ".h": "c",
    ".hh": "c",
    ".hpp": "c",
    ".ino": "c",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "javascript",
    ".tsx": "javascript",
    ".gradle": "gradle",
    ".kts": "gradle",
    ".yml": "config",
    ".yaml": "config",
    ".sh": "config",
    ".bash": "config",
    ".slurm": "config",
    ".sbatch": "config",
    ".properties": "config",
    ".dockerfile": "config",
    ".env": "config",
}
_NAME_KINDS = {
    "setup.py": "setup_py",
    "setup.cfg": "setup_cfg",
    "pyproject.toml": "pyproject",
    "Pipfile": "pipfile",
    "package.json": "npm",
    "Podfile": "pods",
    "libs.versions.toml": "gradle",
    "Makefile": "config",
    "Procfile": "config",
}
_PATTERN_KINDS = (
    ("requirements*.txt", "requirements"),
    ("requirements*.in", "requirements"),
    ("environment*.yml", "conda"),
    ("environment*.yaml", "conda"),
    ("conda*.yml", "conda"),
    ("conda*.yaml", "conda"),
    ("Dockerfile*", "config"),
    ("Containerfile*", "config"),
)
_READERS: dict[str, readers.TextReader] = {
    "requirements": readers.read_requirements,
    "pyproject": readers.read_pyproject,
    "pipfile": readers.read_pipfile,
    "setup_cfg": readers.read_setup_cfg,
    "setup_py": readers.read_setup_py,
    "conda": readers.read_conda,
    "npm": readers.read_package_json,
    "javascript": readers.read_javascript,
    "gradle": readers.read_gradle,
    "pods": readers.read_podfile,
    "c": readers.read_c_source,
    "config": readers.read_config,
}


@dataclass(frozen=True)
class FileResult:
    """What one file showed: its kind, its signs, and a problem that kept it (partly) unread."""

    shown: str
    kind: str | None
    signals: tuple[str, ...]
    problem: str | None = None  # one of PROBLEMS' keys
    detail: str = ""


PROBLEMS = {
    "unreadable": "could not be read",
    "too_large": "were larger than the size limit and were not read",
    "binary": "were binary where text was expected",
    "not_utf8": "were not UTF-8 text",
    "unparsable": "were Python that does not parse (Python 2?); imports found by text search",
    "bad_format": "were not valid in their format (JSON, TOML)",
}


def kind_of(name: str) -> str | None:
    """How a file is read, from its name; None for a file only matched as an artifact."""
    if name in _NAME_KINDS:
        return _NAME_KINDS[name]
    for pattern, kind in _PATTERN_KINDS:
        if fnmatch(name, pattern):
            return kind
    return _SUFFIX_KINDS.get(os.path.splitext(name)[1].lower())


def read_file(found: FoundFile, matcher: Matcher) -> FileResult:
    """The signs one file shows; its content is only read as text, never run or imported."""
    name = os.path.basename(found.shown)
    kind = kind_of(name)
    artifacts = _artifact_hits(name, matcher)
    if kind is None:
        return FileResult(found.shown, None, tuple(sorted(artifacts)))
    limit = MAX_NOTEBOOK_BYTES if kind == "notebook" else MAX_TEXT_BYTES
    text, problem, detail = _text(found, limit)
    if text is None:
        return FileResult(found.shown, kind, tuple(sorted(artifacts)), problem, detail)
    try:
        signals, unparsable = _signals(kind, text, matcher)
    except ValueError as exc:
        return FileResult(found.shown, kind, tuple(sorted(artifacts)), "bad_format", str(exc))
    if problem is None and unparsable:
        problem, detail = "unparsable", unparsable
    return FileResult(found.shown, kind, tuple(sorted(signals | artifacts)), problem, detail)


def _signals(kind: str, text: str, matcher: Matcher) -> tuple[set[str], str | None]:
    if kind == "python":
        reading = read_python(text, matcher)
        return reading.signals, reading.problem
    if kind == "notebook":
        return readers.read_notebook(text, matcher)
    return _READERS[kind](text, matcher), None


def _artifact_hits(name: str, matcher: Matcher) -> set[str]:
    lowered = name.lower()
    return {
        signal
        for wanted, signal in matcher.artifacts
        if lowered == wanted or (wanted.startswith(".") and lowered.endswith(wanted))
    }


def _text(found: FoundFile, limit: int) -> tuple[str | None, str | None, str]:
    """The file's text, or why not (problem key and detail). Opened read-only, never blocking."""
    if found.size > limit:
        return None, "too_large", f"{found.size >> 10} KiB"
    try:
        data = _read_bytes(found.path, limit)
    except OSError as exc:
        return None, "unreadable", exc.strerror or type(exc).__name__
    if data is None:
        return None, "too_large", "grew while being read"
    if b"\0" in data[:8192]:
        return None, "binary", ""
    try:
        return data.decode("utf-8"), None, ""
    except UnicodeDecodeError as exc:
        # Still searched as Latin-1 text (an old Python 2 module), but counted.
        return data.decode("latin-1"), "not_utf8", f"byte {exc.start}"


def _read_bytes(path: str, limit: int) -> bytes | None:
    flags = os.O_RDONLY | os.O_NONBLOCK
    try:
        # Leave even the access time alone where the system lets us (the owner, or root).
        descriptor = os.open(path, flags | getattr(os, "O_NOATIME", 0))
    except PermissionError:
        descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        data = stream.read(limit + 1)
    return None if len(data) > limit else data
