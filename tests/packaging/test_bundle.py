"""The frozen one-folder app: it builds, runs, finds the frameworks of another Python, and
carries neither torch nor tensorflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import __version__
from tests.helpers import run_captured

ROOT = Path(__file__).parents[2]
pytestmark = [pytest.mark.bundle, pytest.mark.frameworks]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [str(ROOT / "scripts" / "build-app"), str(dist)],
        env=dict(os.environ, PYTHON=sys.executable),
        check=True,
        capture_output=True,
        timeout=1800,
    )
    return dist / "framework-advisor"


def test_the_bundle_prints_its_version(bundle: Path) -> None:
    result = run_captured([str(bundle / "framework-advisor"), "--version"])
    assert result.returncode == 0
    assert result.stdout.strip() == f"framework-advisor {__version__}"


def test_the_bundle_probes_the_frameworks_of_the_python_it_is_given(bundle: Path) -> None:
    result = run_captured(
        [str(bundle / "framework-advisor"), "probe", "--python", sys.executable, "--json"],
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads(result.stdout)
    assert record["interpreter"]["prefix"] == sys.prefix
    found = {probe["framework"]: probe for probe in record["frameworks"]}
    assert found["torch"]["status"] == "ok" and found["tensorflow"]["status"] == "ok"


def test_the_bundle_holds_no_framework(bundle: Path) -> None:
    ours = {"advisor/probes", "advisor/resources"}  # probe scripts named after the frameworks
    offending = [
        path
        for path in bundle.rglob("*")
        if any(name in path.name.lower() for name in ("torch", "tensorflow", "keras"))
        and not any(part in path.relative_to(bundle).as_posix() for part in ours)
    ]
    assert offending == []
    assert (bundle / "_internal" / "advisor" / "probes" / "torch_probe.py").is_file()
    assert (
        bundle / "_internal" / "advisor" / "resources" / "templates" / "report.html.j2"
    ).is_file()


def test_the_bundle_exports_a_pdf_through_its_own_web_engine(bundle: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    saved = ROOT / "tests" / "fixtures" / "records" / "bench_quick_cpu.json"
    result = run_captured(
        [
            str(bundle / "framework-advisor"),
            "report",
            "--results",
            str(saved),
            "--output",
            str(target),
        ],
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert target.read_bytes()[:5] == b"%PDF-"
