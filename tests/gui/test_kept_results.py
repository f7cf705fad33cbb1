"""Measured runs are never thrown away: not by the wheel, a change of environment, a restart
or a cancel; and the deployment targets the user ticked stay ticked."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from advisor.gui.main_window import REFRESH_DELAY_MS, MainWindow
from advisor.record import Record, record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.saved import SavedSession
from advisor.session.store import restore
from tests.gui.events import tick, wheel
from tests.helpers import FIXTURES

OTHER_PYTHON = "/opt/other-env/bin/python"


def _measured_here() -> Record:
    """A benchmark and a deployment run of this Python (recorded on this test machine's host)."""
    bench = record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text())
    deployed = record_from_json((FIXTURES / "records" / "deploy_tiny_cpu.json").read_text())
    interpreter = replace(bench.interpreter, executable=sys.executable)
    return replace(bench, interpreter=interpreter, deployment=deployed.deployment)


def _probe_of(record: Record, probed: list[str | None]) -> Callable[..., Record]:
    """A probe of any interpreter from a recorded inventory: no framework is imported here."""

    def probe(_session: object, python: str | None, **_progress: object) -> Record:
        probed.append(python)
        interpreter = replace(record.interpreter, executable=python or sys.executable)
        return replace(record, interpreter=interpreter, benchmarks=None, deployment=None)

    return probe


def _window(qtbot: QtBot, session: SavedSession) -> MainWindow:
    window = MainWindow(knowledge(), session)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def probed(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The interpreters the app probed, each answered from the recorded inventory."""
    seen: list[str | None] = []
    monkeypatch.setattr("advisor.session.Session.probe", _probe_of(_measured_here(), seen))
    return seen


def test_a_wheel_over_the_focused_environment_selector_changes_nothing(
    qtbot: QtBot, probed: list[str | None]
) -> None:
    window = _window(qtbot, SavedSession(default_answers(knowledge()), _measured_here()))
    selector = window.machine.environments
    window.machine.add_environment(OTHER_PYTHON, select=False)
    window.machine.add_environment(OTHER_PYTHON + "3", select=False)
    headline = window.headline.text()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.machine
    selector.setFocus()  # where Ctrl+2 and a Tab leave the keyboard
    qtbot.waitUntil(selector.hasFocus, timeout=2000)
    for _ in range(3):
        wheel(selector, 1)
    qtbot.wait(2 * REFRESH_DELAY_MS)
    assert selector.currentIndex() == 0 and probed == []
    assert window.session.record is not None and window.session.record.benchmarks is not None
    assert window.session.record.deployment is not None and window.headline.text() == headline


def test_a_wheel_over_the_opened_selector_leaves_the_choice_to_a_click(qtbot: QtBot) -> None:
    window = _window(qtbot, SavedSession(default_answers(knowledge()), _measured_here()))
    window.show_page("machine")
    selector = window.machine.environments
    window.machine.add_environment(OTHER_PYTHON, select=False)
    selector.showPopup()
    qtbot.waitUntil(selector.view().isVisible, timeout=2000)
    wheel(selector.view().viewport(), 1)  # scrolls the open list
    assert selector.currentIndex() == 0
    selector.hidePopup()


def _highlighted(widget: QComboBox) -> int:
    """Pixels of the widget drawn in the palette's highlight colour (a focus ring's)."""
    image = widget.grab().toImage()
    wanted = widget.palette().highlight().color()

    def near(colour: QColor) -> bool:
        return all(
            abs(a - b) < 40 for a, b in zip(colour.getRgb()[:3], wanted.getRgb()[:3], strict=True)
        )

    return sum(
        near(image.pixelColor(x, y)) for x in range(image.width()) for y in range(image.height())
    )


def test_the_focused_environment_selector_shows_a_focus_ring(qtbot: QtBot) -> None:
    window = _window(qtbot, SavedSession(default_answers(knowledge()), None))
    window.show_page("machine")
    window.activateWindow()
    qtbot.waitExposed(window)
    selector = window.machine.environments
    window.nav.setFocus()
    unfocused = _highlighted(selector)
    selector.setFocus()
    qtbot.waitUntil(selector.hasFocus, timeout=2000)
    ring = 2 * (selector.width() + selector.height())  # the outline, once around
    assert _highlighted(selector) - unfocused >= ring


def test_switching_environments_and_back_restores_the_runs_even_after_a_restart(
    qtbot: QtBot, probed: list[str | None]
) -> None:
    measured = _measured_here()
    window = _window(qtbot, SavedSession(default_answers(knowledge()), measured))
    headline = window.headline.text()
    window.show_page("machine")
    selector = window.machine.environments
    window.machine.add_environment(OTHER_PYTHON, select=False)
    selector.setFocus()
    qtbot.keyClick(selector, Qt.Key.Key_Down)  # the user picks the other environment
    qtbot.waitUntil(
        lambda: window.session.record is not None and window.session.record is not measured
    )
    assert probed == [OTHER_PYTHON]
    assert (
        window.session.record is not None
        and window.session.record.interpreter.executable == OTHER_PYTHON
    )
    assert window.session.record.benchmarks is None and window.session.record.deployment is None
    assert window.bench.status.text() == "Not run yet."  # not the other environment's run
    assert window.deploy.table.rowCount() == 0
    window.close()  # saved; the next launch restores the session

    restored = restore(knowledge())
    assert restored.problem == ""
    again = _window(qtbot, restored.session)
    assert (
        again.session.record is not None
        and again.session.record.interpreter.executable == OTHER_PYTHON
    )
    selector = again.machine.environments
    assert selector.itemData(selector.currentIndex()) == OTHER_PYTHON
    selector.setFocus()
    qtbot.keyClick(selector, Qt.Key.Key_Up)  # back to this Python
    qtbot.waitUntil(
        lambda: again.session.record is not None and again.session.record.benchmarks is not None
    )
    assert probed == [OTHER_PYTHON, None]
    assert again.session.record.benchmarks == measured.benchmarks
    assert again.session.record.deployment == measured.deployment
    assert again.bench.status.text().startswith("quick run finished")
    # type: ignore[union-attr]
    assert again.deploy.table.rowCount() == len(measured.deployment.routes)
    assert again.headline.text() == headline
    assert [
        r.interpreter.executable for r in again.session.other_environments
    ] == []  # nothing ran there


def test_an_environment_with_runs_kept_is_offered_to_switch_back_to(
    qtbot: QtBot, probed: list[str | None]
) -> None:
    measured = _measured_here()
    there = replace(measured, interpreter=replace(measured.interpreter, executable=OTHER_PYTHON))
    here = replace(measured, benchmarks=None, deployment=None)
    window = _window(
        qtbot, SavedSession(default_answers(knowledge()), here, other_environments=(there,))
    )
    selector = window.machine.environments
    assert selector.currentIndex() == 0 and probed == []  # restored: nothing probed
    selector.setCurrentIndex(selector.findData(OTHER_PYTHON))  # offered although not found
    qtbot.waitUntil(
        lambda: window.session.record is not None and window.session.record.benchmarks is not None
    )
    assert probed == [OTHER_PYTHON] and window.session.record.deployment == there.deployment
    assert window.session.other_environments == ()  # this Python had measured nothing


def test_the_inventory_shown_is_always_of_the_environment_chosen(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    probed: list[str | None] = []
    release = threading.Event()
    probe = _probe_of(_measured_here(), probed)

    def slow_probe(session: object, python: str | None, **progress: object) -> Record:
        release.wait(10)  # the probe takes a while; the user picks again meanwhile
        return probe(session, python, **progress)

    monkeypatch.setattr("advisor.session.Session.probe", slow_probe)
    window = _window(qtbot, SavedSession(default_answers(knowledge()), _measured_here()))
    selector = window.machine.environments
    for python in (OTHER_PYTHON, OTHER_PYTHON + "3"):
        window.machine.add_environment(python, select=False)
    selector.setFocus()
    qtbot.keyClick(selector, Qt.Key.Key_Down)
    qtbot.keyClick(selector, Qt.Key.Key_Down)  # while the first probe runs
    release.set()
    chosen = OTHER_PYTHON + "3"
    qtbot.waitUntil(
        lambda: (
            window.session.record is not None
            and window.session.record.interpreter.executable == chosen
        )
    )
    assert probed == [OTHER_PYTHON, chosen]
    assert window.machine.status.text().endswith(f"({chosen})")


def _cancelled_after_torch(record: Record) -> Record:
    """The deployment run as a cancel leaves it once PyTorch's routes are done."""
    run = record.deployment
    assert run is not None
    routes = tuple(
        r
        if r.framework == "torch"
        else replace(r, status="cancelled", reason="cancelled by the user", models=())
        for r in run.routes
    )
    return replace(record, deployment=replace(run, cancelled=True, routes=routes))


def test_a_cancelled_deployment_run_is_offered_not_weighed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured = _measured_here()
    window = _window(
        qtbot, SavedSession(default_answers(knowledge()), replace(measured, deployment=None))
    )
    headline = window.headline.text()
    partial = _cancelled_after_torch(measured)
    monkeypatch.setattr("advisor.session.Session.deploy", lambda *_args: partial)
    page = window.deploy
    window.show_page("deploy")
    with qtbot.waitSignal(page.finished_run, timeout=10_000):
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert window.session.record is not None and window.session.record.deployment is None
    assert window.headline.text() == headline
    assert "Not weighed" in page.status.text() and page.partial_button.isVisible()
    assert page.table.rowCount() == len(partial.deployment.routes)  # type: ignore[union-attr]
    qtbot.mouseClick(page.partial_button, Qt.MouseButton.LeftButton)  # the user chooses it
    assert window.session.record.deployment == partial.deployment
    html = window.report.html  # the advice says the run is partial, and fails no route
    assert "A cancelled, partial run: routes it did not reach are not counted." in html
    assert "every route tried failed" not in html
    assert page.partial_button.text() == "&Leave the partial run out"  # and can take it back
    qtbot.mouseClick(page.partial_button, Qt.MouseButton.LeftButton)
    assert window.session.record.deployment is None and window.headline.text() == headline
    assert page.partial_button.text() == "Use the &partial run"


def test_a_cancelled_deployment_run_keeps_the_complete_one(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured = _measured_here()
    window = _window(qtbot, SavedSession(default_answers(knowledge()), measured))
    headline = window.headline.text()
    partial = _cancelled_after_torch(measured)
    monkeypatch.setattr("advisor.session.Session.deploy", lambda *_args: partial)
    page = window.deploy
    with qtbot.waitSignal(page.finished_run, timeout=10_000):
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert (
        window.session.record is not None
        and window.session.record.deployment == measured.deployment
    )
    assert window.headline.text() == headline
    assert "the partial run is kept beside it" in page.status.text()


def test_targets_ticked_by_hand_stay_until_the_targets_answer_changes(
    window: MainWindow, qtbot: QtBot
) -> None:
    page, questions = window.deploy, window.questions
    window.show_page("deploy")
    assert page.chosen_targets() == ("server",)  # the default answer: cloud or server
    tick(qtbot, page.targets["edge"])
    tick(qtbot, page.targets["server"])
    assert page.chosen_targets() == ("edge",)
    window.show_page("questions")
    tick(qtbot, questions.control("stage", "production"))  # another answer changes
    qtbot.waitUntil(lambda: questions.answers().values["stage"] == "production")
    qtbot.wait(2 * REFRESH_DELAY_MS)
    assert page.chosen_targets() == ("edge",)
    tick(qtbot, questions.control("deployment_targets", "browser"))
    qtbot.waitUntil(lambda: "browser" in page.chosen_targets())  # the targets answer changed:
    assert page.chosen_targets() == ("browser", "edge")  # only what it added follows
