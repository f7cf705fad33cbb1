"""The built wheel carries the probes and the data files inside the advisor package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_wheel_ships_probes_and_resources(tmp_path: Path) -> None:
    source = tmp_path / "src"
    # Build from a copy so the checkout gets no build/ or egg-info folders.
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "artifacts", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("framework_advisor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for probe in (ROOT / "probes").glob("*.py"):
        assert f"advisor/probes/{probe.name}" in names
    for data in (ROOT / "resources").rglob("*.toml"):
        assert f"advisor/resources/{data.relative_to(ROOT / 'resources').as_posix()}" in names
    for module in (ROOT / "advisor").rglob("*.py"):
        assert f"advisor/{module.relative_to(ROOT / 'advisor').as_posix()}" in names, module
    assert not any(name.startswith(("tests/", "probes/", "resources/")) for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "framework-advisor = advisor.terminal.cli:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )
