"""Answers in the app: a default is no answer until the user gives or keeps it, a reset,
and weight bars that show each criterion's pull."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QTableWidget
from pytestqt.qtbot import QtBot

from advisor.gui.main_window import MainWindow
from advisor.gui.questions_page import ANSWERED_HERE
from advisor.record import record_from_json
from advisor.scoring.answers import DEFAULT_ORIGIN, PROBE_ORIGIN, default_answers
from advisor.scoring.knowledge import knowledge
from tests.gui.events import tick
from tests.helpers import FIXTURES

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"  # a CPU-only machine
ON_DEFAULTS = "resting on defaults: no question answered yet"


def _rescored(window: MainWindow, qtbot: QtBot) -> None:
    """Wait for the re-score that follows each answer (it waits for clicks to settle)."""
    qtbot.waitUntil(lambda: not window._refresh_timer.isActive(), timeout=3000)


def test_a_default_stays_marked_until_the_user_changes_or_keeps_it(
    window: MainWindow, qtbot: QtBot
) -> None:
    questions = window.questions
    stage = questions.box("stage")
    assert stage.title_label.text().endswith("(default)")
    tick(qtbot, questions.control("stage", "prototype"))  # the chosen one, kept
    assert questions.answers().values["stage"] == "prototype"  # the default still
    assert not stage.title_label.text().endswith("(default)")
    assert "stage" not in questions.answers().origins
    assert questions.answers().source == ANSWERED_HERE
    level = questions.control("debugging_priority")
    qtbot.keyClick(level, Qt.Key.Key_Right)
    qtbot.keyClick(level, Qt.Key.Key_Left)  # back to the default level: kept, by the keys
    assert questions.answers().values["debugging_priority"] == 2
    assert "debugging_priority" not in questions.defaults()
    browser = questions.control("deployment_targets", "browser")
    tick(qtbot, browser)
    tick(qtbot, browser)  # ticked and unticked: the default targets, now answered
    assert "deployment_targets" not in questions.answers().origins
    assert questions.answers().origins["model_families"] == DEFAULT_ORIGIN  # never touched


def test_what_the_probe_chose_is_a_default_and_the_verdict_says_it_rests_on_defaults(
    window: MainWindow, qtbot: QtBot, tmp_path: object
) -> None:
    window.machine.probed.emit(record_from_json(QUICK.read_text()))  # a first probe: no GPU
    questions = window.questions
    assert questions.answers().values["hardware"] == ["cpu_only"]
    assert questions.answers().origins["hardware"] == PROBE_ORIGIN
    _rescored(window, qtbot)
    assert window.headline.text().endswith(ON_DEFAULTS)
    html = window.report.html
    assert "This rests on the built-in defaults" in html
    assert "answered in the app" not in html
    assert "CPU only (from this machine&#39;s probe)" in html
    tick(qtbot, questions.control("stage", "research"))
    _rescored(window, qtbot)
    assert ON_DEFAULTS not in window.headline.text()
    left = len(knowledge().questions) - 1
    assert f"Answers: answered in the app; {left} questions still at the default" in (
        window.report.html
    )
    again = MainWindow(knowledge(), window.session.saved())  # as the next launch restores it
    qtbot.addWidget(again)
    hardware = again.questions.box("hardware")
    assert hardware.title_label.text().endswith(f"(default: from {PROBE_ORIGIN})")
    assert again.questions.answers().origins == questions.answers().origins


def _answer_dialog(qtbot: QtBot, button: QMessageBox.StandardButton) -> list[str]:
    """Press `button` in the message box about to open; its text comes back."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, press)
    return seen


def test_reset_asks_then_sets_every_answer_back_to_its_default(
    window: MainWindow, qtbot: QtBot
) -> None:
    questions = window.questions
    tick(qtbot, questions.control("stage", "production"))
    tick(qtbot, questions.control("requirements", "tfx"))
    answered = questions.answers()
    file_menu = next(a for a in window.menuBar().actions() if a.text() == "&File").menu()
    reset = next(a for a in file_menu.actions() if a.text() == "Rese&t answers…")
    seen = _answer_dialog(qtbot, QMessageBox.StandardButton.Cancel)
    reset.trigger()
    assert seen and "every answer back to its default" in seen[0]
    assert questions.answers() == answered  # cancelled: nothing changed
    _answer_dialog(qtbot, QMessageBox.StandardButton.Reset)
    qtbot.mouseClick(questions.reset_button, Qt.MouseButton.LeftButton)
    assert questions.answers() == default_answers(knowledge())  # values, source and origins
    marks = [questions.box(q.id).title_label.text() for q in knowledge().questions]
    assert all(mark.endswith("(default)") for mark in marks)
    _rescored(window, qtbot)
    assert window.headline.text().endswith(ON_DEFAULTS)


def _bars(table: QTableWidget) -> dict[str, float]:
    """Criterion title -> its bar: the pull against the strongest, + for PyTorch."""
    bars = {}
    for row in range(table.rowCount()):
        title, bar = table.item(row, 0), table.item(row, 2)
        value = bar.data(Qt.ItemDataRole.UserRole) if bar is not None else None
        if title is not None and isinstance(value, float):
            bars[title.text()] = value
    return bars


def test_the_weight_bars_show_each_criterions_pull_not_its_score_gap(
    window: MainWindow, qtbot: QtBot
) -> None:
    questions = window.questions
    tick(qtbot, questions.control("requirements", "tfx"))  # a must-have TensorFlow decides
    _rescored(window, qtbot)
    pipelines = "End-to-end production pipelines"
    shares = {title: float(text.rstrip("%")) for title, text in questions.weight_shares().items()}
    assert shares[pipelines] >= 75
    bars, words = _bars(questions.weights), questions.favours()
    assert bars[pipelines] == -1.0  # the strongest pull, to the left: TensorFlow
    assert words[pipelines].startswith("favours TensorFlow: pulls ")
    # Criteria with a gap as wide as a few points but a share of 1-3 % draw short bars.
    gaps = {title: float(text.split("score gap ")[1][:-1]) for title, text in words.items()
            if "score gap" in text}  # fmt: skip
    small = [title for title, gap in gaps.items() if shares[title] < 3 and gap >= 2]
    assert small and all(abs(bars.get(title, 0.0)) < 0.1 for title in small)  # none: nil
    header = questions.weights.horizontalHeaderItem(2)
    assert header is not None and "weight times score gap" in header.toolTip()
