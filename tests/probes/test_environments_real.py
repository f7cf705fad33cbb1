"""Environment checks for real: the frameworks import (or not) in actual interpreters."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from advisor.probing.environments import Candidate, check

pytestmark = pytest.mark.frameworks


def test_this_environment_imports_both_frameworks_at_their_installed_versions() -> None:
    found = check(Candidate(Path(sys.executable), "path", "this"))
    assert found.error is None and found.prefix == sys.prefix
    assert found.modules["torch"].importable
    assert found.modules["torch"].version == metadata.version("torch")
    assert found.modules["tensorflow"].importable
    assert found.modules["tensorflow"].version == metadata.version("tensorflow")


def test_a_bare_venv_has_neither_framework(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True
    )
    found = check(Candidate(tmp_path / "bare" / "bin" / "python", "venv", "bare"))
    assert found.error is None
    assert found.modules["torch"].reason == "not installed"
    assert found.modules["tensorflow"].reason == "not installed"
    assert found.label() == f"bare (Python {found.python_version}; no torch, no tensorflow)"


def test_the_environments_command_lists_the_running_environment_as_json() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "environments", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    listed = json.loads(result.stdout)
    ours = [e for e in listed if e["prefix"] == sys.prefix]
    assert ours, [e["candidate"]["python"] for e in listed]
    assert ours[0]["modules"]["torch"]["importable"]
