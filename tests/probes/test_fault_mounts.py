"""Fault matrix, file systems: a full disk and a read-only mount, on real tmpfs mounts.

Mounting needs root (CI runs as root); elsewhere these tests skip with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE
from advisor.bench.compiler_setup import set_up_compiler
from advisor.record import record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.saved import SavedSession
from advisor.session.store import restore, save
from tests.helpers import FIXTURES, INTERPRETER, run_advisor, run_captured

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"


def _mount(folder: Path, *options: str) -> None:
    folder.mkdir(exist_ok=True)
    done = run_captured(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(folder)])
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or 'not root'}")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A one-page file system: room for a small file, not for a record."""
    folder = tmp_path / "tiny"
    _mount(folder, "size=4k")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture
def read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A file system mounted read-only, holding a saved session."""
    folder = tmp_path / "ro"
    _mount(folder, "size=1m")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    save(SavedSession(default_answers(knowledge()), record_from_json(QUICK.read_text())))
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def _advisor(*argv: str, data: Path) -> subprocess.CompletedProcess[str]:
    return run_advisor(*argv, timeout=120, env=dict(os.environ, **{DATA_DIR_VARIABLE: str(data)}))


def test_a_record_that_does_not_fit_on_the_disk_is_saved_elsewhere_and_named(
    tiny_disk: Path, tmp_path: Path
) -> None:
    kept = tiny_disk / "record.json"
    kept.write_text("an earlier record\n")
    data = tmp_path / "data"
    done = _advisor("probe", "--quiet", "--output", str(kept), data=data)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    (saved,) = data.glob("unsaved-record-*.json")
    assert line == (
        f"framework-advisor: error: cannot write {kept}: No space left on device; "
        f"the record was saved to {saved} instead"
    )
    assert record_from_json(saved.read_text()).frameworks  # the whole record
    assert kept.read_text() == "an earlier record\n"  # the old file is untouched
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["record.json"]  # no temporary left


def test_a_report_that_does_not_fit_is_one_line_and_the_old_file_stays(tiny_disk: Path) -> None:
    target = tiny_disk / "report.html"
    target.write_text("the old report\n")
    done = _advisor("report", "--results", str(QUICK), "--output", str(target), data=tiny_disk)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"framework-advisor: error: cannot write {target}: No space left on device"
    )
    assert target.read_text() == "the old report\n"


def test_a_read_only_data_folder_is_read_and_not_written(read_only: Path) -> None:
    restored = restore(knowledge())
    assert restored.session.record is not None  # what was saved is still used
    assert restored.problem == f"Autosave is off: the data folder {read_only} is read-only"
    done = _advisor("recommend", "--json", data=read_only)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["winner"]
    assert done.stderr.startswith(f"benchmark results from {read_only / 'session.json'}")


def test_output_into_a_read_only_folder_is_refused_before_any_work(read_only: Path) -> None:
    target = read_only / "record.json"
    done = _advisor("bench", "--output", str(target), data=read_only)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"framework-advisor: error: cannot write {target}: folder {read_only} is not writable"
    )


def test_a_pdf_that_does_not_fit_says_the_disk_is_full(tiny_disk: Path) -> None:
    pytest.importorskip("PySide6.QtWebEngineCore")
    target = tiny_disk / "report.pdf"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
    argv = ["report", "--results", str(QUICK), "--output", str(target)]
    done = run_advisor(
        *argv, timeout=120, env=dict(env, **{DATA_DIR_VARIABLE: str(tiny_disk.parent / "data")})
    )
    assert done.returncode == 1, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        f"framework-advisor: error: cannot write {target}: No space left on device "
        "(the PDF did not fit)"
    )
    assert list(tiny_disk.iterdir()) == []


@pytest.mark.frameworks
def test_a_compiler_set_up_that_fills_the_disk_leaves_no_half_built_folder(
    tiny_disk: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"threads": 1, "device": "cpu"}))
    folder = tiny_disk / "torch-compiler" / "torch-test-cpu-0123"
    cancelled = set_up_compiler(INTERPRETER, plan, folder, lambda _event: None)
    assert not cancelled
    assert sorted(p.name for p in folder.parent.iterdir()) == []
