"""Test-wide settings: every test gets its own empty advisor data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from advisor.base.datadir import DATA_DIR_VARIABLE

# Property tests check arithmetic, not speed: no per-example deadline on a shared CI machine.
settings.register_profile("advisor", deadline=None)
settings.load_profile("advisor")


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    folder = tmp_path_factory.mktemp("advisor-data")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture
def unusable_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data folder set below a regular file, so it can never be created; returned."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(blocker / "data"))
    return blocker / "data"
