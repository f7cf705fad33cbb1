"""Framework-neutral helpers of the probe scripts, run on real files (no framework)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

PROBES = Path(__file__).parents[2] / "probes"


@pytest.fixture(scope="module")
def probe_common() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_probe_common", PROBES / "_probe_common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges there")
def test_folder_size_counts_regular_files_at_every_depth_and_follows_no_link(
    probe_common: ModuleType, tmp_path: Path
) -> None:
    package = tmp_path / "package"
    (package / "sub" / "deeper").mkdir(parents=True)
    (package / "a.py").write_bytes(b"x" * 100)
    (package / "sub" / "b.so").write_bytes(b"y" * 2000)
    (package / "sub" / "deeper" / "c.txt").write_bytes(b"z" * 30)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "big.bin").write_bytes(b"w" * 50_000)
    (package / "linked_folder").symlink_to(outside, target_is_directory=True)
    (package / "linked_file").symlink_to(outside / "big.bin")
    (package / "dangling").symlink_to(tmp_path / "missing")
    assert probe_common.folder_size_bytes(str(package)) == 100 + 2000 + 30


def test_folder_size_of_a_missing_folder_is_zero(probe_common: ModuleType, tmp_path: Path) -> None:
    assert probe_common.folder_size_bytes(str(tmp_path / "missing")) == 0
