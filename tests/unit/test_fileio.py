"""Atomic writes: all or nothing, and clear errors for paths that cannot be written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE, cache_dir, data_dir
from advisor.base.errors import ExportError, OutputPathError
from advisor.base.fileio import atomic_write, atomic_write_text, make_private_folder


def test_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    atomic_write_text(target, "new content")
    assert target.read_text() == "new content"
    assert os.listdir(tmp_path) == ["out.json"]


def test_new_files_are_private_and_replaced_files_keep_their_permissions(
    tmp_path: Path,
) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.json", "x")
        kept = tmp_path / "kept.json"
        kept.write_text("old")
        kept.chmod(0o600)
        atomic_write_text(kept, "new")
    finally:
        os.umask(umask)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o600
    assert kept.stat().st_mode & 0o777 == 0o600


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match=r"folder .*missing does not exist"):
        atomic_write_text(tmp_path / "missing" / "out.json", "x")


def test_directory_target_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="it is a directory"):
        atomic_write_text(tmp_path, "x")


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_folder_the_user_cannot_write_is_a_clear_error() -> None:
    # sysfs refuses new files even to root, so this holds in CI too.
    expected = "cannot write /sys/kernel/out.json: Permission denied"
    with pytest.raises(OutputPathError, match=re.escape(expected)):
        atomic_write_text(Path("/sys/kernel/out.json"), "x")


def test_failed_write_keeps_the_old_file_and_removes_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputPathError, match="No space left on device"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_producer_that_fails_midway_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_text("old")

    def half_then_fail(temp: Path) -> None:
        temp.write_text("%PDF-1.4 half")
        raise ExportError("the engine gave up")

    with pytest.raises(ExportError, match="gave up"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["report.pdf"]


def test_a_fresh_data_folder_is_owner_only_down_from_the_first_folder_it_creates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(existing / "share" / "framework-advisor"))
    umask = os.umask(0o022)
    try:
        cache = cache_dir()
        make_private_folder(data_dir() / "deeper" / "still")
    finally:
        os.umask(umask)
    created = [existing / "share", existing / "share" / "framework-advisor", cache]
    created += [data_dir() / "deeper", data_dir() / "deeper" / "still"]
    assert {str(p): p.stat().st_mode & 0o777 for p in created} == dict.fromkeys(
        map(str, created), 0o700
    )
    assert existing.stat().st_mode & 0o777 == 0o755  # not the advisor's to change


def test_a_file_in_the_way_of_a_private_folder_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputPathError, match="file: it exists and is not a folder"):
        make_private_folder(tmp_path / "file")
    with pytest.raises(OutputPathError, match=f"deeper: {tmp_path / 'file'} is not a folder"):
        make_private_folder(tmp_path / "file" / "below" / "deeper")
