"""A stop signal reaching the app: an export in progress stops and leaves nothing behind.

A real SIGTERM, sent while the PDF printer's child process runs, to the app's own
process with the app's stop signals installed.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest

from advisor.base.stopping import stop_signals
from advisor.gui.main_window import MainWindow
from advisor.record import record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.saved import SavedSession
from tests.helpers import fixture_text


def _printer_running(marker: str) -> bool:
    """Whether a process with ``marker`` (this test's temporary folder) in its environment runs."""
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "environ").read_bytes() and entry.name != str(
                os.getpid()
            ):
                return True
        except OSError:
            continue
    return False


def _signal_once_printing(marker: str, number: int) -> threading.Thread:
    def watch() -> None:
        deadline = time.monotonic() + 60
        while not _printer_running(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        if time.monotonic() < deadline:
            os.kill(os.getpid(), number)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def test_a_stop_signal_during_the_apps_pdf_export_stops_it_and_leaves_nothing(
    qtbot: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp, out = tmp_path / "tmp", tmp_path / "out"
    temp.mkdir()
    out.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    record = record_from_json(fixture_text("records", "bench_quick_cpu.json"))
    window = MainWindow(knowledge(), SavedSession(default_answers(knowledge()), record))
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    with stop_signals() as stops:
        window.stopping = stops.cancel
        watcher = _signal_once_printing(str(temp), signal.SIGTERM)
        exported = window.export_to(out / "r.pdf", "pdf")
        watcher.join(5)
    assert stops.received == signal.SIGTERM
    assert not exported
    assert window.report.panel.title.text() == (
        "Export failed: cancelled by the user while printing the PDF"
    )
    assert os.listdir(out) == []
    assert os.listdir(temp) == []
    assert not _printer_running(str(temp))
