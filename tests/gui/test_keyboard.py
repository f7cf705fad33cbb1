"""The keyboard: Tab goes down the page as it reads, lands on the chosen radio button, and
leaves the report preview in one press; a link in the report opens its question."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from advisor.gui.main_window import MainWindow
from advisor.record import record_from_json
from tests.gui.events import tick
from tests.helpers import FIXTURES

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"


def _shown(window: MainWindow, qtbot: QtBot) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)


def _tab(qtbot: QtBot, window: QWidget, back: bool = False) -> QWidget | None:
    """One Tab (or Shift+Tab) press where the focus is; the widget it lands on."""
    key = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    qtbot.keyClick(QApplication.focusWidget() or window, key)
    return QApplication.focusWidget()


def test_tab_goes_down_the_questions_page_welcome_first_and_onto_the_chosen_option(
    window: MainWindow, qtbot: QtBot
) -> None:
    _shown(window, qtbot)
    window.nav.setFocus()
    stops = [_tab(qtbot, window) for _ in range(6)]
    questions = window.questions
    assert stops[:4] == [
        questions.reset_button,
        questions.scan_bar.pick_button,
        window.welcome.close_button,  # "Got it": the welcome, where it reads, not last
        questions.control("stage", "prototype"),  # the chosen option, not the first
    ]
    assert stops[4] is questions.control("model_families", "vision_cnn")
    production = questions.control("stage", "production")
    tick(qtbot, production)
    window.welcome.close_button.setFocus()
    assert _tab(qtbot, window) is production  # it follows the choice
    qtbot.keyClick(production, Qt.Key.Key_Up)  # arrows still walk the options
    assert questions.answers().values["stage"] == "prototype"
    assert QApplication.focusWidget() is questions.control("stage", "prototype")


def _report_shown(window: MainWindow, qtbot: QtBot) -> None:
    window.set_record(record_from_json(QUICK.read_text()))
    _shown(window, qtbot)
    loaded: list[bool] = []
    window.report.view().loadFinished.connect(loaded.append)
    window.show_page("report")  # the report loads when its page shows
    qtbot.waitUntil(lambda: bool(loaded), timeout=20000)
    qtbot.wait(500)  # the page lays out


def _scrolled(window: MainWindow, qtbot: QtBot) -> float:
    found: list[float] = []
    window.report.view().page().runJavaScript("window.scrollY", 0, found.append)
    qtbot.waitUntil(lambda: bool(found), timeout=5000)
    return float(found[0])


def _scrolled_at_rest(window: MainWindow, qtbot: QtBot) -> float:
    """Where the preview is once key presses still queued in the page have scrolled it."""
    last = _scrolled(window, qtbot)
    for _ in range(20):
        qtbot.wait(300)
        now = _scrolled(window, qtbot)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the preview kept scrolling for 6 s (at {last})")


def test_tab_leaves_the_report_preview_in_one_press_and_the_keys_scroll_it(
    window: MainWindow, qtbot: QtBot
) -> None:
    _report_shown(window, qtbot)
    preview = window.report.view().focusProxy()
    window.report.leave_out_identity.setFocus()
    assert _tab(qtbot, window) is preview  # the panel's buttons above it are hidden
    for _ in range(3):
        qtbot.keyClick(preview, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: _scrolled(window, qtbot) > 0, timeout=5000)
    read_to = _scrolled_at_rest(window, qtbot)
    left = _tab(qtbot, window)
    assert left is not None and left is not preview and not window.report.isAncestorOf(left)
    assert _tab(qtbot, window, back=True) is preview  # and back in one Shift+Tab
    qtbot.wait(500)
    assert _scrolled(window, qtbot) == read_to  # where the reader left it, not at a link


def test_a_link_from_what_would_change_it_opens_its_question(
    window: MainWindow, qtbot: QtBot
) -> None:
    _report_shown(window, qtbot)
    first = 'document.querySelector("#what-would-change a[href^=\\"#answer-\\"]")'
    target: list[str] = []
    page = window.report.view().page()
    page.runJavaScript(f"{first}.getAttribute('href')", 0, target.append)
    qtbot.waitUntil(lambda: bool(target), timeout=5000)
    question = target[0].removeprefix("#answer-")
    page.runJavaScript(f"{first}.click()")
    qtbot.waitUntil(lambda: window.current_page() == "questions", timeout=5000)
    focused = QApplication.focusWidget()
    box = window.questions.box(question)
    assert focused is not None and box.isAncestorOf(focused)
    window.show_page("report")
    qtbot.waitUntil(lambda: window.report.view().url().fragment() == "", timeout=5000)
    window.show_page("deploy")
    page.runJavaScript(f"{first}.click()")  # the same link again works again
    qtbot.waitUntil(lambda: window.current_page() == "questions", timeout=5000)
