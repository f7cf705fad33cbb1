"""A launch prints nothing on the terminal: Qt WebEngine's Vulkan and GPU probing noise is
kept off it, while a real Qt warning still gets through."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from advisor.record import record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.saved import SavedSession
from advisor.session.store import save
from tests.helpers import FIXTURES, run_captured

ROOT = Path(__file__).resolve().parents[2]


def test_a_launch_on_an_x_server_leaves_the_terminal_clean(
    guarded_x_server: tuple[str, Path],
) -> None:
    display, cookie = guarded_x_server  # an Xvfb: no Vulkan library, Mesa's llvmpipe GL
    record = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    save(SavedSession(default_answers(knowledge()), record))  # the report has something to show
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, XAUTHORITY=str(cookie))
    done = run_captured(
        [sys.executable, "-m", "tests.gui.launch_on_report"], timeout=120, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == ""


def test_other_qt_messages_still_reach_the_terminal(qtlog: Any) -> None:
    from PySide6.QtCore import qWarning

    from advisor.gui.app import quiet_qt_noise

    quiet_qt_noise()  # in front of pytest-qt's handler, which stands for the terminal here
    qWarning("Failed to create platform Vulkan instance")
    qWarning("QPainter::begin: Paint device returned engine == 0")
    assert [r.message for r in qtlog.records] == [
        "QPainter::begin: Paint device returned engine == 0"
    ]
