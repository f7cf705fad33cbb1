"""Layout that survives: small windows, 200 % scale, a megabyte of text from a broken probe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from advisor.gui.main_window import MINIMUM_SIZE, MainWindow
from tests.gui.layout_check import BROKEN_PROBE_TEXT, check, hostile_record

ROOT = Path(__file__).resolve().parents[2]


def _fits(result: dict[str, Any], width: int, height: int) -> None:
    assert result["size"] == [width, height]  # nothing forced the window to grow
    min_width, min_height = result["minimum"]
    assert min_width <= min(width, MINIMUM_SIZE[0]) and min_height <= min(height, MINIMUM_SIZE[1])
    stack_width, stack_height = result["stack"]
    for page in result["pages"]:
        assert page["minimum"][0] <= stack_width, page
        assert page["minimum"][1] <= stack_height, page


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
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        QT_SCALE_FACTOR="2",
        FRAMEWORK_ADVISOR_DATA_DIR=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.layout_check", "1000", "650"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["device_pixel_ratio"] == 2.0
    _fits(result, 1000, 650)
    (questions,) = (page for page in result["pages"] if page["page"] == "Project needs")
    assert questions["side_scrolled"] == [], questions
