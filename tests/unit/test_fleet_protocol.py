"""The fleet protocol without a cluster: a third backend written here (each run a local
process that hands over a recorded record) joins with one registry line, and the shared
loop follows, cancels and reports it through the real `fleet` command."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Self

import pytest

from advisor.base.fileio import make_private_folder
from advisor.base.progress import Progress
from advisor.fleet.backend import FleetBackend, FleetRequest, RunState, TaskOutcome, run_fleet
from advisor.fleet.registry import BACKENDS
from advisor.terminal.cli import main
from tests.helpers import FIXTURES

RECORDS = tuple(FIXTURES / "records" / f"bench_{name}_cpu.json" for name in ("tiny", "quick"))
# A run: wait, then hand over its record as a finished bench would.
RUN = "import shutil, sys, time; time.sleep(float(sys.argv[3])); shutil.copy(*sys.argv[1:3])"


class LocalFleet(FleetBackend):
    """Each run a process on this machine; the n-th waits --seconds times n."""

    title = "Local"
    help = "runs on this machine (a test of the protocol)"
    description = "Local processes standing for nodes."

    def __init__(self, request: FleetRequest, seconds: float) -> None:
        self.request = request
        self.seconds = seconds
        self.runs: list[subprocess.Popen[bytes]] = []

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--seconds", type=float, default=0.0)

    @classmethod
    def from_arguments(cls, request: FleetRequest, args: argparse.Namespace) -> Self:
        return cls(request, args.seconds)

    @property
    def count(self) -> int:
        return len(RECORDS)

    def _record(self, index: int) -> Path:
        return self.request.output_dir / f"record-local_{index}.json"

    def preview(self) -> str:
        return "".join(f"run {index}: {RUN}\n" for index in range(self.count))

    def submit(self) -> str:
        make_private_folder(self.request.output_dir)
        for index, source in enumerate(RECORDS):
            argv = [sys.executable, "-c", RUN, str(source), str(self._record(index))]
            self.runs.append(subprocess.Popen([*argv, str(self.seconds * index)]))
        return f"submitted {self.submitted}"

    @property
    def submitted(self) -> str:
        return "local job"

    def poll(self) -> dict[str, RunState]:
        return {
            f"local_{index}": RunState("RUNNING", "", "localhost")
            for index, run in enumerate(self.runs)
            if run.poll() is None
        }

    def cancel(self) -> str:
        for run in self.runs:
            run.terminate()
        return "cancelling: terminate"

    def collect(self) -> tuple[TaskOutcome, ...]:
        outcomes = []
        for index, run in enumerate(self.runs):
            status = run.wait()
            state = {0: "COMPLETED", -signal.SIGTERM: "CANCELLED"}.get(status, "FAILED")
            record = self._record(index) if self._record(index).exists() else None
            outcomes.append(
                TaskOutcome(self.title, f"local_{index}", state, None, None, "here", record, None)
            )
        return tuple(outcomes)

    def withdraw(self) -> str:
        self.cancel()
        return "; terminated the local runs"


def test_a_third_backend_is_one_class_and_one_registry_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(BACKENDS, "local", LocalFleet)
    out = tmp_path / "out"
    assert main(["fleet", "local", "--output-dir", str(out), "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("run 0: import shutil") and not out.exists()
    assert main(["fleet", "local", "--output-dir", str(out)]) == 0
    printed = capsys.readouterr()
    assert "submitted local job" in printed.err
    assert f"local_0: {out / 'record-local_0.json'}" in printed.out
    report = (out / "fleet-report.html").read_text()
    assert '<section id="machines">' in report and str(out / "record-local_1.json") in report


def test_a_cancel_stops_what_runs_and_keeps_what_finished(tmp_path: Path) -> None:
    backend = LocalFleet(FleetRequest(tmp_path / "out", "tiny", None), seconds=120.0)
    heard: list[str] = []
    cancel = threading.Event()

    def on_progress(_progress: Progress) -> None:  # at every poll
        if backend._record(0).exists():  # the first run has finished
            cancel.set()

    run = run_fleet(backend, heard.append, cancel, on_progress)
    assert run.cancelled and run.submitted == "local job"
    assert [(t.task, t.state) for t in run.tasks] == [
        ("local_0", "COMPLETED"),
        ("local_1", "CANCELLED"),
    ]
    assert run.records == [backend._record(0)]
    assert "cancelling: terminate" in heard and "task local_1: RUNNING on localhost" in heard
    assert run.tasks[1].problem() == "Local task local_1 on here: CANCELLED"
