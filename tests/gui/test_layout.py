"""Layout that survives: small windows, 200 % scale, a megabyte of text from a broken probe."""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from advisor.gui.main_window import MINIMUM_SIZE, MainWindow
from advisor.record import record_from_json
from tests.gui.conftest import FULL_HD
from tests.gui.layout_check import BROKEN_PROBE_TEXT, check, hostile_record
from tests.helpers import FIXTURES, run_captured

ROOT = Path(__file__).resolve().parents[2]


def _fits(result: dict[str, Any], width: int, height: int) -> None:
    assert result["size"] == [width, height]  # nothing forced the window to grow
    min_width, min_height = result["minimum"]
    assert min_width <= min(width, MINIMUM_SIZE[0]) and min_height <= min(height, MINIMUM_SIZE[1])
    stack_width, stack_height = result["stack"]
    for page in result["pages"]:
        assert page["minimum"][0] <= stack_width, page
        assert page["minimum"][1] <= stack_height, page


def _layout_at_200_percent(data: Path, platform: str, *size: str) -> dict[str, Any]:
    """layout_check's report from a fresh interpreter at 200 % (Qt reads the scale once)."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=platform,
        QT_SCALE_FACTOR="2",
        FRAMEWORK_ADVISOR_DATA_DIR=str(data),
    )
    done = run_captured(
        [sys.executable, "-m", "tests.gui.layout_check", *size], timeout=300, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_megabyte_field_is_cut_where_it_is_read() -> None:
    record = hostile_record()
    assert len(record.machine.system.hostname) < 5000 < len(BROKEN_PROBE_TEXT)
    assert record.machine.system.hostname.endswith("more characters cut]")


@pytest.mark.parametrize("size", [(1280, 720), (1000, 650)])
def test_every_page_fits_a_small_window_with_hostile_text(
    window: MainWindow, size: tuple[int, int]
) -> None:
    _fits(check(window, QApplication.instance(), *size), *size)


def test_the_questions_fit_the_smallest_window_without_a_side_scroll_bar(
    window: MainWindow,
) -> None:
    result = check(window, QApplication.instance(), *MINIMUM_SIZE)
    assert result["size"] == list(MINIMUM_SIZE)
    (questions,) = (page for page in result["pages"] if page["page"] == "Project needs")
    assert questions["side_scrolled"] == [], questions  # the options wrap instead
    assert questions["minimum"][0] <= result["stack"][0], questions


def test_every_page_fits_at_200_percent(tmp_path: Path) -> None:
    result = _layout_at_200_percent(tmp_path, "offscreen", "1000", "650")
    assert result["device_pixel_ratio"] == 2.0
    _fits(result, 1000, 650)
    (questions,) = (page for page in result["pages"] if page["page"] == "Project needs")
    assert questions["side_scrolled"] == [], questions


def test_at_200_percent_on_a_full_hd_screen_the_window_and_its_status_bar_fit(
    tmp_path: Path,
) -> None:
    # a 1920x1080 screen: 960x540 at 200 %
    result = _layout_at_200_percent(tmp_path, f"offscreen:configfile={FULL_HD}", "fit")
    assert result["screen"] == [0, 0, 960, 540]
    x, y, width, height = result["frame"]  # title bar and borders included
    assert x >= 0 and y >= 0 and x + width <= 960 and y + height <= 540
    visible, _x, bar_y, _w, bar_height = result["status_bar"]  # where a run's progress is
    assert visible and bar_y + bar_height <= result["size"][1]
    _fits(result, *result["size"])


def _whole_rows(table: QTableWidget) -> int:
    """Rows shown whole, from the top of the table."""
    bottoms = itertools.accumulate(table.rowHeight(row) for row in range(table.rowCount()))
    return sum(bottom <= table.viewport().height() for bottom in bottoms)


def test_the_benchmarks_page_with_other_machines_shows_rows_at_the_smallest_size(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.resize(*MINIMUM_SIZE)
    window.set_record(record_from_json((FIXTURES / "records" / "bench_quick_cpu.json").read_text()))
    for other in ("bench_quick_h200_torch_only.json", "bench_tiny_cpu.json"):
        assert window.add_other(FIXTURES / "records" / other)
    window.show_page("bench")
    page = window.bench
    qtbot.waitUntil(lambda: _whole_rows(page.fleet_table) >= 3, timeout=3000)
    page.results.setCurrentIndex(0)  # this machine's own results
    qtbot.waitUntil(lambda: _whole_rows(page.table) >= 2, timeout=3000)
    assert page.chart.isVisible()  # beside them, not instead of them
