"""Finding Python environments: where a user keeps them, each listed once; the frozen default."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from advisor.base.errors import BadInterpreterError
from advisor.probing import environments
from advisor.probing.environments import (
    Candidate,
    Environment,
    ModuleCheck,
    candidates,
    default_python,
)
from advisor.probing.interpreter import resolve_python


def _python(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_candidates_come_from_every_usual_place_each_once(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "project"
    on_path = _python(tmp_path / "usr" / "bin" / "python3")
    (on_path.parent / "python").symlink_to(on_path)  # the same interpreter twice
    expected = {
        ("path", str(on_path)),
        ("conda", str(_python(tmp_path / "active" / "bin" / "python"))),
        ("conda", str(_python(tmp_path / "listed" / "bin" / "python"))),
        ("conda", str(_python(home / "miniconda3" / "bin" / "python"))),
        ("conda", str(_python(home / "miniconda3" / "envs" / "ml" / "bin" / "python"))),
        ("venv", str(_python(tmp_path / "activated" / "bin" / "python"))),
        ("venv", str(_python(project / ".venv" / "bin" / "python"))),
        ("venv", str(_python(home / ".virtualenvs" / "research" / "bin" / "python"))),
        ("venv", str(_python(home / "venvs" / "serving" / "bin" / "python3"))),
        ("pyenv", str(_python(home / ".pyenv" / "versions" / "3.12.1" / "bin" / "python"))),
    }
    (home / ".conda").mkdir()
    (home / ".conda" / "environments.txt").write_text(f"{tmp_path / 'listed'}\n\n")
    (home / ".virtualenvs" / "empty-folder").mkdir()  # no interpreter inside: skipped
    env = {
        "PATH": os.pathsep.join([str(on_path.parent), str(tmp_path / "nowhere")]),
        "CONDA_PREFIX": str(tmp_path / "active"),
        "VIRTUAL_ENV": str(tmp_path / "activated"),
    }
    found = candidates(home=home, env=env, project=project)
    assert {(c.source, str(c.python)) for c in found} == expected
    assert len(found) == len(expected)
    names = {c.name for c in found}
    assert {"ml", "research", "serving", "3.12.1", ".venv"} <= names


def test_a_venv_is_not_merged_with_the_interpreter_it_points_at(tmp_path: Path) -> None:
    base = _python(tmp_path / "usr" / "bin" / "python3")
    venv_python = tmp_path / "home" / "venvs" / "v" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.symlink_to(base)
    found = candidates(home=tmp_path / "home", env={"PATH": str(base.parent)}, project=tmp_path)
    assert [c.python for c in found] == [base, venv_python]


def test_the_default_python_is_our_own_unless_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert default_python() == Path(sys.executable)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    on_path = _python(tmp_path / "bin" / "python3")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert default_python() == on_path
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BadInterpreterError, match="no Python interpreter on PATH"):
        default_python()


def test_labels_say_what_imports_and_why_an_environment_is_unusable() -> None:
    candidate = Candidate(Path("/envs/ml/bin/python"), "conda", "ml")
    ok = ModuleCheck(True, "2.13.0", None)
    missing = ModuleCheck(False, None, "not installed")
    assert Environment(
        candidate, "3.11.7", "/envs/ml", {"torch": ok, "tensorflow": missing}
    ).label() == ("ml (Python 3.11.7; torch 2.13.0)")
    assert Environment(candidate, "3.11.7", "/envs/ml", {"torch": missing}).label() == (
        "ml (Python 3.11.7; no torch, no tensorflow)"
    )
    broken = Environment(candidate, None, None, {}, "timed out after 90 s")
    assert broken.label() == "ml: unusable (timed out after 90 s)"


def test_check_reports_a_file_that_is_not_python(tmp_path: Path) -> None:
    fake = _python(tmp_path / "python")
    fake.write_text("#!/bin/sh\necho not python\n")
    result = environments.check(Candidate(fake, "path", str(fake)), timeout_s=20)
    assert result.error is not None and result.modules == {}


def test_an_interpreter_in_the_current_folder_is_listed_but_not_run(tmp_path: Path) -> None:
    project = tmp_path / "someone-elses-repo"
    marker = tmp_path / "it-ran"
    trap = _python(project / ".venv" / "bin" / "python")
    trap.write_text(f"#!/bin/sh\ntouch {marker}\n")
    found = environments.discover(
        home=tmp_path / "home", env={"PATH": ""}, project=project, timeout_s=20
    )
    (listed,) = [e for e in found if e.candidate.python == trap]
    assert listed.not_run == "found in the current folder: not run until you choose it"
    assert listed.label() == (
        ".venv: not checked (found in the current folder: not run until you choose it)"
    )
    assert not marker.exists()


def test_a_bare_interpreter_name_means_the_file_here_not_one_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _python(tmp_path / "python")
    monkeypatch.chdir(tmp_path)
    assert resolve_python("python") == here  # exec would have looked 'python' up on PATH
