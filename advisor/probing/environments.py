"""Python environments on this machine, and whether torch and tensorflow import in each.

Used by the app's environment selector, by `framework-advisor environments`, and by a
frozen build of the advisor, whose own executable is not a Python interpreter.
Candidates come from PATH, conda (active and named environments), virtual environments
in the usual folders and in the project folder, and pyenv; each is then checked in a
subprocess of its own with a timeout (probes/env_check.py), several at a time.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from advisor.base.errors import BadInterpreterError
from advisor.base.resources_path import probes_folder
from advisor.probing.runner import run_process

Source = Literal["path", "conda", "venv", "pyenv"]
CHECK_TIMEOUT_S = 90.0
MODULES = ("torch", "tensorflow")
MINIMUM_PYTHON = (3, 8)  # the probe scripts' floor
_PATH_NAMES = ("python3", "python")
_VENV_FOLDERS = (".virtualenvs", "venvs", ".venvs")
_CONDA_ROOTS = ("miniconda3", "anaconda3", "miniforge3", "mambaforge", ".conda")


@dataclass(frozen=True)
class Candidate:
    """A Python interpreter worth offering, and where it was found."""

    python: Path
    source: Source
    name: str  # what the user calls it: the venv or conda env name, or the path


@dataclass(frozen=True)
class ModuleCheck:
    """Whether a module imports in an environment."""

    importable: bool
    version: str | None
    reason: str | None


@dataclass(frozen=True)
class Environment:
    """A checked candidate: its Python version and which frameworks import there."""

    candidate: Candidate
    python_version: str | None
    prefix: str | None
    modules: dict[str, ModuleCheck]
    error: str | None = None  # the check itself failed (not a Python, timed out, ...)
    not_run: str | None = None  # why it was not checked (see discover)

    def label(self) -> str:
        """One line for a list: name, version and the frameworks found."""
        if self.not_run:
            return f"{self.candidate.name}: not checked ({self.not_run})"
        if self.error:
            return f"{self.candidate.name}: unusable ({self.error})"
        found = [
            f"{name} {check.version or ''}".strip()
            for name, check in self.modules.items()
            if check.importable
        ]
        frameworks = ", ".join(found) if found else "no torch, no tensorflow"
        return f"{self.candidate.name} (Python {self.python_version}; {frameworks})"


def python_in(prefix: Path) -> Path | None:
    """The interpreter of an environment folder (venv or conda, POSIX or Windows layout)."""
    for inside in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
        if (prefix / inside).is_file():
            return prefix / inside
    return None


def _from_prefixes(prefixes: Iterable[Path], source: Source) -> list[Candidate]:
    found = []
    for prefix in prefixes:
        python = python_in(prefix)
        if python is not None:
            found.append(Candidate(python, source, prefix.name or str(prefix)))
    return found


def _on_path(env: Mapping[str, str]) -> list[Candidate]:
    found = []
    for folder in env.get("PATH", "").split(os.pathsep):
        for name in _PATH_NAMES:
            path = shutil.which(name, path=folder) if folder else None
            if path:
                found.append(Candidate(Path(path), "path", path))
    return found


def _conda_prefixes(home: Path, env: Mapping[str, str]) -> list[Path]:
    prefixes = [Path(env["CONDA_PREFIX"])] if env.get("CONDA_PREFIX") else []
    listed = home / ".conda" / "environments.txt"
    if listed.is_file():
        lines = listed.read_text(encoding="utf-8", errors="replace").splitlines()
        prefixes += [Path(line.strip()) for line in lines if line.strip()]
    roots = [home / root for root in _CONDA_ROOTS]
    if env.get("CONDA_EXE"):
        roots.append(Path(env["CONDA_EXE"]).parent.parent)
    for root in roots:
        prefixes += [root, *sorted((root / "envs").glob("*"))]
    return prefixes


def _venv_prefixes(home: Path, env: Mapping[str, str], project: Path) -> list[Path]:
    prefixes = [Path(env["VIRTUAL_ENV"])] if env.get("VIRTUAL_ENV") else []
    prefixes.append(project / ".venv")
    for folder in _VENV_FOLDERS:
        prefixes += sorted((home / folder).glob("*"))
    return prefixes


def _pyenv_prefixes(home: Path, env: Mapping[str, str]) -> list[Path]:
    root = Path(env.get("PYENV_ROOT") or home / ".pyenv")
    return sorted((root / "versions").glob("*"))


def candidates(
    home: Path | None = None, env: Mapping[str, str] | None = None, project: Path | None = None
) -> list[Candidate]:
    """Every interpreter found, each path once, in the order a user would look."""
    home = home or Path.home()
    env = os.environ if env is None else env
    project = project or Path.cwd()
    found = [
        *_on_path(env),
        *_from_prefixes(_conda_prefixes(home, env), "conda"),
        *_from_prefixes(_venv_prefixes(home, env, project), "venv"),
        *_from_prefixes(_pyenv_prefixes(home, env), "pyenv"),
    ]
    # python and python3 side by side are one interpreter; a venv's python points at its
    # base interpreter's binary but is another environment, hence the folder in the key.
    unique: dict[tuple[Path, Path], Candidate] = {}
    for candidate in found:
        key = (candidate.python.parent.absolute(), candidate.python.resolve())
        unique.setdefault(key, candidate)
    return list(unique.values())


def check(
    candidate: Candidate,
    timeout_s: float = CHECK_TIMEOUT_S,
    cancel: threading.Event | None = None,
) -> Environment:
    """Import each framework in the candidate, in a subprocess of its own."""
    script = probes_folder() / "env_check.py"
    result = run_process([str(candidate.python), str(script), *MODULES], timeout_s, cancel=cancel)
    failure = result.failure_reason(timeout_s)
    if failure is None:
        try:
            data = json.loads(result.stdout)
            modules = {name: ModuleCheck(**data["modules"][name]) for name in MODULES}
            version = str(data["python_version"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            failure = f"unexpected output ({type(exc).__name__})"
        else:
            too_old = _version_tuple(version) < MINIMUM_PYTHON
            error = f"Python {version} is too old (3.8 or newer needed)" if too_old else None
            return Environment(candidate, version, data["prefix"], modules, error)
    return Environment(candidate, None, None, {}, failure)


def _checked_unless_in(
    folder: Path, candidate: Candidate, timeout_s: float, cancel: threading.Event | None
) -> Environment:
    ours = candidate.python.absolute().parent.parent == Path(sys.prefix).absolute()
    if candidate.python.absolute().is_relative_to(folder) and not ours:
        reason = "found in the current folder: not run until you choose it"
        return Environment(candidate, None, None, {}, not_run=reason)
    return check(candidate, timeout_s, cancel)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def discover(
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    project: Path | None = None,
    timeout_s: float = CHECK_TIMEOUT_S,
    cancel: threading.Event | None = None,
) -> list[Environment]:
    """The candidates, checked two at a time, each environment (prefix) listed once.

    ``cancel`` stops the checks still running (they then say "cancelled by the user").

    An interpreter in the current folder (its `.venv`, or `.` on PATH) is listed but not
    run: opening the app or listing environments in a folder someone else filled must
    not run a program from it. It is run when the user chooses it. The environment the
    advisor itself runs in is the exception: it is already running.
    """
    here = (project or Path.cwd()).absolute()
    found = candidates(home, env, project)
    with ThreadPoolExecutor(max_workers=2) as pool:
        checked = list(pool.map(lambda c: _checked_unless_in(here, c, timeout_s, cancel), found))
    unique: dict[tuple[str, str], Environment] = {}
    for item in checked:
        key = (item.prefix or str(item.candidate.python), item.python_version or "")
        unique.setdefault(key, item)
    return list(unique.values())


def default_python() -> Path:
    """Our own interpreter, or in a frozen build the first Python on PATH."""
    if not getattr(sys, "frozen", False):
        return Path(sys.executable)
    for name in _PATH_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise BadInterpreterError("(none given): no Python interpreter on PATH to probe")
