"""The questions page reads answers from a folder: marked, explained, never over the user's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from advisor.gui.main_window import MainWindow
from advisor.record import record_from_json
from advisor.scoring.knowledge import knowledge
from advisor.session.saved import load_session, save_session
from tests.helpers import FIXTURES

PROJECT = FIXTURES / "scan" / "torch_research"
QUICK = FIXTURES / "records" / "bench_quick_cpu.json"


def _tick(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def _pick(window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Choose `folder` in the folder picker (the native dialog answered as a user would)."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    bar = window.questions.scan_bar
    qtbot.mouseClick(bar.pick_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bar.running() and bar.pick_button.isEnabled(), timeout=20000)


def test_picking_a_folder_fills_in_marked_answers_with_their_evidence(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pick(window, qtbot, monkeypatch, PROJECT)
    questions = window.questions
    existing = questions.box("existing_code")
    assert questions.answers().values["existing_code"] == "pytorch"
    assert existing.title_label.text().endswith("(from your code)")
    assert "2 files import torch (src/model.py, src/train.py)" in existing.title_label.toolTip()
    assert questions.box("stage").title_label.text().endswith("(default)")
    assert questions.answers().values["requirements"] == []  # suggested, never ticked
    assert "Must-haves to consider (not ticked): huggingface" in questions.scan_bar.outcome.text()
    # The user changes a scanned answer: it is theirs now, no longer marked.
    _tick(qtbot, questions.control("existing_code", "both"))
    assert "(from your code)" not in existing.title_label.text()
    assert "existing_code" not in questions.answers().origins


def test_the_users_own_answers_are_kept_until_they_ask(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = window.questions
    _tick(qtbot, questions.control("existing_code", "tensorflow"))
    _pick(window, qtbot, monkeypatch, PROJECT)
    assert questions.answers().values["existing_code"] == "tensorflow"
    assert questions.answers().values["hardware"] == ["nvidia"]
    assert "hardware" in questions.answers().origins
    bar = questions.scan_bar
    assert "Kept your own answers to: Is there existing code to build on." in bar.outcome.text()
    assert bar.use_button.isVisible()
    qtbot.mouseClick(bar.use_button, Qt.MouseButton.LeftButton)
    assert questions.answers().values["existing_code"] == "pytorch"
    assert questions.box("existing_code").title_label.text().endswith("(from your code)")


def test_cancel_leaves_the_answers_as_they_were(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    for index in range(4000):
        (tmp_path / f"m{index}.py").write_text("import torch\nx = x.cuda()\n")
    before = window.questions.answers().values
    bar = window.questions.scan_bar
    bar.start(tmp_path)
    assert bar.cancel_button.isVisible()
    qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bar.running() and bar.pick_button.isEnabled(), timeout=20000)
    assert bar.outcome.text() == "Cancelled: no answers changed."
    assert window.questions.answers().values == before


def test_the_session_and_the_report_remember_the_scan(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window.set_record(record_from_json(QUICK.read_text()))
    _pick(window, qtbot, monkeypatch, PROJECT)
    qtbot.waitUntil(lambda: "What we read in your code" in window.report.html, timeout=10000)
    saved = tmp_path / "session.json"
    save_session(window.session.saved(), saved)
    again = MainWindow(knowledge(), load_session(saved, knowledge()))
    qtbot.addWidget(again)
    existing = again.questions.box("existing_code")
    assert existing.title_label.text().endswith("(from your code)")
    assert "src/train.py" in existing.title_label.toolTip()
    assert again.questions.answers().origins == window.questions.answers().origins
