"""The first-run welcome, light and dark (radio buttons too), the status bar's progress and the
live ratio chart."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QRadioButton, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from advisor.base.errors import UsageError
from advisor.base.progress import Progress
from advisor.bench.stats import summarise
from advisor.gui.main_window import MainWindow
from advisor.gui.progress_bar import RunProgressBar
from advisor.gui.theme import SCHEME_VARIABLE, apply_scheme, chosen_scheme, preview_html
from advisor.record import CaseResult, record_from_json
from advisor.scoring.answers import default_answers
from advisor.scoring.knowledge import knowledge
from advisor.session.saved import SavedSession
from tests.helpers import FIXTURES, run_advisor

QUICK = FIXTURES / "records" / "bench_quick_cpu.json"


def test_a_fresh_app_welcomes_and_the_welcome_can_be_dismissed_and_shown_again(
    window: MainWindow, qtbot: QtBot
) -> None:
    assert window.welcome.isVisible()
    text = " ".join(label.text() for label in window.welcome.findChildren(QLabel))
    assert "Nothing leaves this machine" in text
    qtbot.mouseClick(window.welcome.close_button, Qt.MouseButton.LeftButton)
    assert not window.welcome.isVisible()
    window.show_page("deploy")
    go = next(a for a in window.menuBar().actions() if a.text() == "&Go").menu()
    next(a for a in go.actions() if a.text() == "&Welcome").trigger()
    assert window.welcome.isVisible() and window.current_page() == "questions"


def _said(window: MainWindow) -> str:
    return window.welcome.machine.text()


def test_the_welcome_says_how_long_things_take_and_what_the_probe_found(
    window: MainWindow,
) -> None:
    # A first probe took 10-12 s (not "a few seconds"); a first quick benchmark 88-147 s
    # (not "about a minute"): no run here yet, so a range.
    assert "being probed in the background now (about 10 s: " in _said(window)
    quick = re.search(
        r"time both frameworks on this machine, ([^;]+) on the quick preset", _said(window)
    )
    assert quick and re.fullmatch(r"\d+(\.5)?-\d+(\.5)? min", quick.group(1)), _said(window)
    assert quick.group(1) in window.bench.size_buttons["quick"].text()  # one estimate
    window.machine.progress_changed.emit(None)  # the probe ended without a record (it failed)
    assert "being probed" not in _said(window) and "has ended" in _said(window)
    window.machine.probed.emit(record_from_json(QUICK.read_text()))
    assert _said(window).startswith(
        "This machine was probed: Intel(R) Xeon(R) Processor, PyTorch and TensorFlow in the "
        "chosen Python environment"
    )


def test_a_restored_session_with_results_does_not_welcome_again(qtbot: QtBot) -> None:
    record = record_from_json(QUICK.read_text())
    shown = MainWindow(knowledge(), SavedSession(default_answers(knowledge()), record))
    qtbot.addWidget(shown)
    shown.show()
    assert not shown.welcome.isVisible()


def test_the_app_and_its_preview_follow_the_scheme_chosen(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        monkeypatch.setenv(SCHEME_VARIABLE, "dark")
        apply_scheme(app)
        assert app.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.2
        assert app.palette().color(QPalette.ColorRole.WindowText).lightnessF() > 0.8
        monkeypatch.setenv(SCHEME_VARIABLE, "light")
        apply_scheme(app)
        assert app.palette().color(QPalette.ColorRole.Window).lightnessF() > 0.8
    finally:
        monkeypatch.delenv(SCHEME_VARIABLE)
        apply_scheme(app)
    html = "<html><head><style>a{}</style></head><body></body></html>"
    assert "color-scheme: dark" in preview_html(html, dark=True)
    assert "color-scheme: light" in preview_html(html, dark=False)


def test_the_report_colours_follow_color_scheme_and_paper_is_light() -> None:
    css = (Path(__file__).resolve().parents[2] / "resources/templates/report.css").read_text()
    root = css[: css.index("}")]
    assert "color-scheme: light dark" in root and root.count("light-dark(") >= 8
    assert "@media print {\n  :root { color-scheme: light;" in css


def test_a_bad_scheme_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SCHEME_VARIABLE, "purple")
    with pytest.raises(UsageError, match="FRAMEWORK_ADVISOR_COLOR_SCHEME='purple'"):
        chosen_scheme()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FRAMEWORK_ADVISOR_DATA_DIR=str(tmp_path))
    done = run_advisor("gui", timeout=120, env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "framework-advisor: error: FRAMEWORK_ADVISOR_COLOR_SCHEME='purple': use light or dark, "
        "or leave it unset to follow the system"
    ]


def test_the_progress_bar_counts_down_between_updates_and_hides_at_the_end(
    qtbot: QtBot,
) -> None:
    bar = RunProgressBar("Benchmarks")
    qtbot.addWidget(bar)
    bar.show_progress(Progress("eager phase: timing matmul, pass 2 of 5", 3, 10, 20.0, 30.0))
    assert bar.isVisible() and bar.bar.maximum() == 1000 and bar.bar.value() == 400
    assert bar.label.text() == (
        "Benchmarks: eager phase: timing matmul, pass 2 of 5 · about 30 s left"
    )
    qtbot.wait(1200)  # two ticks
    shown = bar.shown()
    assert shown is not None and shown.left_s is not None and shown.left_s < 29.5
    bar.show_progress(None)
    assert not bar.isVisible()


def test_the_progress_bar_never_moves_back_and_a_cancel_says_cancelled(qtbot: QtBot) -> None:
    bar = RunProgressBar("Deployment")
    qtbot.addWidget(bar)
    bar.show_progress(Progress("exporting from torch", 3, 10, 60.0, 40.0))
    assert bar.bar.value() == 600
    # a slow step makes the rest look long: 62 / (62 + 196) is 24 %, as the issue saw
    bar.show_progress(Progress("exporting from tensorflow", 4, 10, 62.0, 196.0))
    assert bar.bar.value() == 600 and bar.label.text().endswith("about 3 min 15 s left")
    bar.show_progress(Progress("cancelled", 4, 10, 63.0, 0.0, 0.6, "cancelled"))
    assert bar.label.text() == "Deployment: cancelled" and bar.bar.value() == 600
    assert "almost done" not in bar.bar.toolTip()
    bar.show_progress(None)
    bar.show_progress(Progress("exporting from torch", 0, 10, 1.0, 99.0))  # a new run
    assert bar.bar.value() == 10


def _case(framework_speed: float, variant: str = "eager") -> CaseResult:
    samples = tuple(framework_speed * (1 + 0.01 * (i % 5)) for i in range(20))
    return CaseResult(
        "mlp_train",
        variant,
        "float32",
        "ok",
        samples_s=samples,
        work_per_iteration=64.0,
        stats=summarise(samples),  # as the run's events carry them
    )


def test_the_live_chart_draws_each_finished_pair_with_its_interval(window: MainWindow) -> None:
    from advisor.bench.events import BenchEvent
    from advisor.gui.live_bench import with_live_rows

    page = window.bench
    page._reset_rows("quick")
    heard = with_live_rows(page._on_event, page.live.workloads.values())  # as the run's job does
    heard(BenchEvent("torch", "case_finished", "", _case(0.010), "mlp_train"))
    assert page.chart.bars == ()  # one side only: no ratio yet
    heard(BenchEvent("tensorflow", "case_finished", "", _case(0.020, "function"), "mlp_train"))
    assert page.chart.caption.endswith("provisional until the run ends")
    (bar,) = page.chart.bars
    assert bar.tone == "torch" and "PyTorch 2.00x faster" in bar.text
    assert bar.interval is not None and bar.interval[0] <= bar.x + bar.width <= bar.interval[1]
    page.chart.grab()  # paints without error


def test_a_chart_row_grows_with_its_label_so_narrow_windows_never_overlap_rows(
    qtbot: QtBot,
) -> None:
    from advisor.gui.ratio_chart import RatioChart
    from advisor.wording.charts import Bar

    chart = RatioChart()
    qtbot.addWidget(chart)
    label = "MLP training step (forward, backward, SGD update) (float32, as you would write it)"
    chart.show_bars((Bar(label, "PyTorch 1.42x faster", "torch", 100.0, 30.0, (90.0, 140.0)),), "")
    line = chart.fontMetrics().height()
    wide, narrow = chart.heightForWidth(1200), chart.heightForWidth(300)
    assert chart.hasHeightForWidth() and narrow > wide
    assert narrow - line * 3 >= 3 * line  # the label's three lines fit in its row


def test_the_chosen_radio_button_is_a_dot_in_the_highlight_colour_in_dark(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    monkeypatch.setenv(SCHEME_VARIABLE, "dark")
    try:
        apply_scheme(app)
        chosen = QRadioButton()
        chosen.setChecked(True)
        qtbot.addWidget(chosen)
        chosen.show()
        option = QStyleOptionButton()
        option.initFrom(chosen)
        indicator = chosen.style().subElementRect(
            QStyle.SubElement.SE_RadioButtonIndicator, option, chosen
        )
        image = chosen.grab().toImage()
        ratio = image.devicePixelRatio()
        centre = indicator.center() + QPoint(1, 1)
        dot = image.pixelColor(round(centre.x() * ratio), round(centre.y() * ratio))
        highlight = app.palette().color(QPalette.ColorRole.Highlight)
        # Fusion's own dot is a grey (no saturation); this one is the highlight blue.
        assert abs(dot.hueF() - highlight.hueF()) < 0.03 and dot.saturationF() > 0.6
    finally:
        monkeypatch.delenv(SCHEME_VARIABLE)
        apply_scheme(app)
