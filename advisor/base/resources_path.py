"""The one place that knows where shipped data files and probe scripts live, and reads them."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path
from typing import Any

from advisor.base.errors import ResourceError, UsageError
from advisor.base.tomltext import parse_toml

SCHEMA_VERSION = 1  # of every versioned data file under resources/


def _package_folder(package: str) -> Path:
    if getattr(sys, "frozen", False):
        # A PyInstaller bundle unpacks the data folders under sys._MEIPASS, laid out
        # as in the package (packaging/framework-advisor.spec).
        return Path(sys._MEIPASS).joinpath(*package.split("."))  # type: ignore[attr-defined]
    folder = resources.files(package)
    if not isinstance(folder, Path):
        # Probes are run by another interpreter, so they need a real file on disk,
        # not a member of a zip archive.
        raise ResourceError(f"{package} is not installed as plain files ({folder})")
    return folder


def resource_file(name: str) -> Path:
    """Path of a data file shipped under ``resources/``."""
    return _existing(_package_folder("advisor.resources") / name)


def resource_folder(name: str) -> Path:
    """Path of a folder of data files shipped under ``resources/``."""
    folder = _package_folder("advisor.resources") / name
    if not folder.is_dir():
        raise ResourceError(f"shipped folder missing: {folder} (reinstall framework-advisor)")
    return folder


def probes_folder() -> Path:
    """The folder of probe scripts shipped under ``probes/``."""
    return _package_folder("advisor.probes")


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise ResourceError(f"shipped file missing: {path} (reinstall framework-advisor)")
    return path


def load_toml(path: Path) -> dict[str, Any]:
    """Read a versioned TOML data file, failing with the file's name on any problem."""
    try:
        data = parse_toml(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise ResourceError(f"{path}: {exc}") from exc
    except UsageError as exc:
        raise ResourceError(str(exc)) from exc
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ResourceError(f"{path}: schema_version must be {SCHEMA_VERSION}")
    return data
