"""The real torch and tensorflow probes, run as subprocesses of this Python."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.catalog import frameworks
from advisor.probing.frameworks import probe_frameworks
from advisor.probing.interpreter import describe_interpreter, resolve_python
from advisor.probing.inventory import take_inventory
from advisor.record import FrameworkProbe
from tests.helpers import run_advisor

pytestmark = pytest.mark.frameworks

INTERPRETER = describe_interpreter(resolve_python(None))


def _installed_version(module: str) -> str:
    """The framework's version, asked in a separate process so this one stays framework-free."""
    code = f"import {module}; print({module}.__version__)"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def _probe(framework_id: str) -> FrameworkProbe:
    spec = next(s for s in frameworks() if s.id == framework_id)
    events: list[dict[str, object]] = []
    (probe,) = probe_frameworks(
        [spec], INTERPRETER, timeout_s=120, on_event=lambda _id, event: events.append(event)
    )
    assert probe.status == "ok", probe.reason
    assert [e["stage"] for e in events] == ["import", "inspect"]
    return probe


@pytest.mark.parametrize(
    ("framework_id", "module"), [("torch", "torch"), ("tensorflow", "tensorflow")]
)
def test_probe_reports_the_installed_version_and_a_working_cpu(
    framework_id: str, module: str
) -> None:
    probe = _probe(framework_id)
    report = probe.report
    assert report is not None
    assert report.version == _installed_version(module)
    assert Path(report.location).is_dir()
    assert report.size_on_disk_bytes > 10 * 1024**2
    assert 0 < report.import_time_s < 60
    assert report.rss_after_import_bytes is not None
    assert report.rss_after_import_bytes > 50 * 1024**2
    cpu = [d for d in report.devices if d.kind == "cpu"]
    assert len(cpu) == 1 and cpu[0].op_ok, cpu


def test_ecosystem_versions_come_from_package_metadata() -> None:
    from importlib import metadata

    probe = _probe("tensorflow")
    for package in probe.ecosystem:
        try:
            expected: str | None = metadata.version(package.name)
        except metadata.PackageNotFoundError:
            expected = None
        assert package.version == expected, package.name


def test_probe_command_end_to_end_writes_a_complete_record(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    result = run_advisor("probe", "--json", "--output", str(target), timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert json.loads(target.read_text()) == data
    statuses = {f["framework"]: f["status"] for f in data["frameworks"]}
    assert statuses == {"torch": "ok", "tensorflow": "ok"}
    assert "… torch: importing torch" in result.stderr


def test_a_python_without_frameworks_reports_not_installed(tmp_path: Path) -> None:
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    record = take_inventory(str(venv))
    assert record.interpreter.prefix == str(venv)
    for probe in record.frameworks:
        assert probe.status == "not_installed"
        assert (
            probe.install_hint
            == f"{record.interpreter.executable} -m pip install {probe.framework}"
        )
