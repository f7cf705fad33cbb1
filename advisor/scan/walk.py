"""The files under a scanned folder: never a link out of it, never a loop, vendored code aside."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Never code of the project: version control, caches.
ALWAYS_SKIPPED = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)
# Someone else's code or build output: skipped unless the user asks (--include-vendored).
VENDORED = frozenset(
    {
        "node_modules",
        "site-packages",
        "dist-packages",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".eggs",
        "build",
        "dist",
        "third_party",
        "third-party",
        "thirdparty",
        "vendor",
        "vendored",
        "_vendor",
        "Pods",
        ".gradle",
    }
)
_ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")


@dataclass(frozen=True)
class FoundFile:
    """A regular file to look at: where it is and how it is shown (relative to its root)."""

    path: str
    shown: str
    size: int


@dataclass
class Walk:
    """Everything a walk met: the files, and what it left out and why."""

    files: list[FoundFile] = field(default_factory=list)
    skipped_folders: list[str] = field(default_factory=list)  # vendored, venvs, builds
    unreadable: list[str] = field(default_factory=list)  # folders and files it could not list
    links_not_followed: list[str] = field(default_factory=list)
    not_regular: list[str] = field(default_factory=list)  # pipes, sockets, devices


def walk_root(
    root: Path,
    prefix: str,
    include_vendored: bool,
    cancelled: Callable[[], bool],
    walk: Walk,
) -> None:
    """Add the files under ``root`` to ``walk``; shown paths start with ``prefix``."""
    real_root = os.path.realpath(root)
    stack = [(str(root), prefix)]
    while stack and not cancelled():
        folder, shown = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listing = sorted(entries, key=lambda e: e.name)
        except OSError:
            walk.unreadable.append(shown or ".")
            continue
        for entry in listing:
            child = f"{shown}{entry.name}"
            _visit(entry, child, real_root, include_vendored, stack, walk)


def _visit(
    entry: os.DirEntry[str],
    shown: str,
    real_root: str,
    include_vendored: bool,
    stack: list[tuple[str, str]],
    walk: Walk,
) -> None:
    try:
        if entry.is_symlink():
            _visit_link(entry, shown, real_root, walk)
            return
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        walk.unreadable.append(shown)
        return
    if stat.S_ISDIR(mode):
        if entry.name in ALWAYS_SKIPPED:
            return
        if not include_vendored and _vendored(entry):
            walk.skipped_folders.append(shown + "/")
            return
        stack.append((entry.path, shown + "/"))
    elif stat.S_ISREG(mode):
        walk.files.append(FoundFile(entry.path, shown, entry.stat(follow_symlinks=False).st_size))
    else:
        walk.not_regular.append(shown)


def _visit_link(entry: os.DirEntry[str], shown: str, real_root: str, walk: Walk) -> None:
    """A link to a file inside the root is read; a link to a folder or out of the root is not.

    Links to folders are never followed, so no link can make a loop; what they point to
    inside the root is read where it lies.
    """
    target = os.path.realpath(entry.path)
    inside = os.path.commonpath([real_root, target]) == real_root
    try:
        status = os.stat(target)
    except OSError:
        walk.links_not_followed.append(shown)
        return
    if inside and stat.S_ISREG(status.st_mode):
        walk.files.append(FoundFile(target, shown, status.st_size))
    else:
        walk.links_not_followed.append(shown)


def _vendored(entry: os.DirEntry[str]) -> bool:
    if entry.name in VENDORED or entry.name.endswith(".egg-info"):
        return True
    return any(os.path.lexists(os.path.join(entry.path, m)) for m in _ENVIRONMENT_MARKERS)
