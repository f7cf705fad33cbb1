"""Every child process runs in a folder of its own: the user's home and temporary folder stay
untouched, whatever the child writes, however it ends."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE
from advisor.probing.runner import run_process
from tests.helpers import run_advisor

# What runtimes do: write under ~ and the XDG folders, in the temporary folder, in the
# folders their own variables name; start a grandchild that writes later.
_WRITER = textwrap.dedent(
    """
    import os, pathlib, subprocess, sys, tempfile
    home = pathlib.Path.home()
    for where in (home / ".keras", home / ".cache" / "Microsoft",
                  pathlib.Path(os.environ.get("XDG_CONFIG_HOME", home / ".config")) / "tool",
                  pathlib.Path(os.environ.get("KERAS_HOME", home / ".keras")),
                  pathlib.Path(os.environ.get("TORCHINDUCTOR_CACHE_DIR", "/nowhere")),
                  pathlib.Path(tempfile.gettempdir()) / "torchinductor_me"):
        where.mkdir(parents=True, exist_ok=True)
        (where / "written").write_text("x")
    (pathlib.Path(tempfile.gettempdir()) / ".ses").write_text("x")
    print(home, tempfile.gettempdir())
    """
)


@pytest.fixture
def empty_home_and_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The advisor's own HOME, XDG cache and temporary folder: empty folders of the test."""
    home, temporary = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temporary.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("KERAS_HOME", str(home / ".keras-of-the-user"))
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(home / "inductor-of-the-user"))
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr("tempfile.tempdir", None)  # the advisor's own gettempdir() follows
    return home, temporary


def _everything(*folders: Path) -> list[str]:
    return sorted(str(p) for folder in folders for p in folder.rglob("*"))


def test_a_child_writes_only_in_its_own_folder_which_goes_when_it_ends(
    empty_home_and_tmp: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, temporary = empty_home_and_tmp
    project = home.parent / "project"  # the user's own code, which a child imports
    project.mkdir()
    (project / "users_module.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(project))
    result = run_process([sys.executable, "-c", "import users_module\n" + _WRITER], 60)
    assert result.returncode == 0, result.log_lines
    child_home, child_tmp = result.stdout.split()
    assert child_home != str(home) and child_tmp != str(temporary)
    assert _everything(home, temporary) == []
    assert _everything(project) == [str(project / "users_module.py")]  # no __pycache__


def test_a_child_killed_at_its_timeout_leaves_nothing_either(
    empty_home_and_tmp: tuple[Path, Path],
) -> None:
    home, temporary = empty_home_and_tmp
    hang = _WRITER + "import time\ntime.sleep(60)\n"
    result = run_process([sys.executable, "-c", hang], 3)
    assert result.timed_out
    assert _everything(home, temporary) == []


def test_onnx_runtime_writes_no_device_id_and_no_session_file(
    empty_home_and_tmp: tuple[Path, Path],
) -> None:
    # ONNX Runtime 1.32 on Linux writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/
    # deviceid and an event store at import, and $TMPDIR/.ses, unless told not to.
    if importlib.util.find_spec("onnxruntime") is None:
        pytest.skip("onnxruntime is not installed (pip install 'framework-advisor[deploy]')")
    home, temporary = empty_home_and_tmp
    seen = "import onnxruntime, os, pathlib, tempfile\n" + (
        "print(sorted(str(p) for p in pathlib.Path(tempfile.gettempdir()).parent.rglob('*')))"
    )
    result = run_process([sys.executable, "-c", seen], 120)
    assert result.returncode == 0, result.log_lines
    assert "deviceid" not in result.stdout and ".ses" not in result.stdout  # not even its own
    assert _everything(home, temporary) == []


def test_packages_installed_for_the_user_stay_importable(tmp_path: Path) -> None:
    # A child gets an empty home; `pip install --user` packages live in the real one.
    system_python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    if system_python is None:
        pytest.skip("no system python3 outside a virtual environment")
    home = tmp_path / "home"
    env = dict(os.environ, HOME=str(home))
    env.pop("PYTHONUSERBASE", None)
    where = subprocess.run(
        [system_python, "-c", "import site; print(site.getusersitepackages())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(where).mkdir(parents=True)
    Path(where, "advisor_user_site_marker.py").write_text("")
    check = (
        "from advisor.probing.runner import run_process\n"
        f"r = run_process([{system_python!r}, '-c', 'import advisor_user_site_marker'], 60)\n"
        "print(r.returncode, r.log_lines[-1:] if r.log_lines else '')\n"
    )
    advisor = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, check=True
    )
    assert advisor.stdout.startswith("0 "), advisor.stdout


@pytest.mark.frameworks
def test_probe_leaves_nothing_in_an_empty_home_or_temporary_folder(tmp_path: Path) -> None:
    # TensorFlow's probe brings Keras in, which wrote ~/.keras/keras.json.
    home, temporary, data = tmp_path / "home", tmp_path / "tmp", tmp_path / "data"
    for folder in (home, temporary):
        folder.mkdir()
    env = dict(os.environ, HOME=str(home), TMPDIR=str(temporary), **{DATA_DIR_VARIABLE: str(data)})
    done = run_advisor("probe", "--quiet", timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _everything(home, temporary) == []
