"""A stop signal during a PDF export, at every stage of it, ends like every other run.

The real command line in a process of its own and real SIGTERMs: before Qt WebEngine
starts, while it loads the page, while it prints. Each try must exit 143 with one line
(or have finished before the signal), and leave no temporary file beside the target,
nothing in the temporary folder and no process behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.base.datadir import DATA_DIR_VARIABLE
from tests.helpers import FIXTURES

STOPPED = "framework-advisor: cancelled by the user while printing the PDF"
KEPT = "framework-advisor: interrupted; what had finished is shown above and kept"


def _catches_sigterm(pid: int) -> bool:
    """Whether the process has its own SIGTERM handler yet (the advisor's stop signals)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


def _started_with(marker: str) -> list[int]:
    """Live processes whose environment holds ``marker`` (this test's temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environment = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in environment and state != "Z" and entry.name != str(os.getpid()):
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("delay_s", [0.0, 0.4, 0.8, 1.2, 1.6, 2.2, 3.0, 4.0, 5.0, 6.5])
def test_a_stop_signal_during_a_pdf_export_exits_143_and_leaves_nothing(
    tmp_path: Path, delay_s: float
) -> None:
    pytest.importorskip("PySide6.QtWebEngineCore")
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir()
    out.mkdir()
    environment = dict(os.environ, TMPDIR=str(temp), **{DATA_DIR_VARIABLE: str(tmp_path / "d")})
    environment.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    record = FIXTURES / "records" / "bench_quick_cpu.json"
    argv = ["report", "--results", str(record), "--output", str(out / "r.pdf")]
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    while process.poll() is None and not _catches_sigterm(process.pid):
        time.sleep(0.01)
    time.sleep(delay_s)
    process.send_signal(signal.SIGTERM)
    stdout, err = process.communicate(timeout=90)
    # Finished before the signal, or after: once the command has returned, the advisor's
    # handlers are gone and the signal's default action ends the process (a shell sees
    # 143 as for any other stop), with the report complete.
    if process.returncode in (0, -signal.SIGTERM):
        assert "PDF report written to" in stdout
        assert (out / "r.pdf").read_bytes()[:5] == b"%PDF-"
    else:
        assert process.returncode == 143, err[-3000:]
        assert err in (f"{STOPPED}\n", f"{KEPT}\n"), err[-3000:]
        if err == f"{KEPT}\n":  # the signal came after the PDF was written
            assert (out / "r.pdf").read_bytes()[:5] == b"%PDF-"
        else:
            assert os.listdir(out) == []
    assert [name for name in os.listdir(out) if name != "r.pdf"] == []
    deadline = time.monotonic() + 5
    while _started_with(str(temp)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _started_with(str(temp)) == []
    assert os.listdir(temp) == []
