"""The per-user folder where the advisor keeps the current session between runs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from advisor.base.errors import DataFolderError
from advisor.base.fileio import private_folder_problem

APP_NAME = "framework-advisor"
DATA_DIR_VARIABLE = "FRAMEWORK_ADVISOR_DATA_DIR"


def data_dir() -> Path:
    """The per-user data folder (FRAMEWORK_ADVISOR_DATA_DIR overrides it), created on demand."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    return _usable(Path(override) if override else platformdirs.user_data_path(APP_NAME))


def cache_dir() -> Path:
    """The per-user cache folder (below the data folder when FRAMEWORK_ADVISOR_DATA_DIR is set).

    What is kept here can be rebuilt at any time: deleting it costs time, never results.
    """
    override = os.environ.get(DATA_DIR_VARIABLE)
    return _usable(Path(override) / "cache" if override else platformdirs.user_cache_path(APP_NAME))


def _usable(folder: Path) -> Path:
    """The folder, created owner-only (with any missing above it); else one DataFolderError."""
    problem = private_folder_problem(folder)
    if problem:
        raise DataFolderError(f"data folder {folder} cannot be used ({problem})")
    return folder
