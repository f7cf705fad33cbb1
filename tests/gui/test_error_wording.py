"""Core errors reach the app in its own words: the subject named, never a terminal flag."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from advisor.base.errors import AdvisorError
from advisor.bench.run import BenchOptions, resolve_device, run_benchmarks
from advisor.gui.widgets import SUBJECT_WORDS, FailurePanel, app_message
from advisor.probing.interpreter import describe_interpreter, resolve_python
from advisor.report.export import format_for
from advisor.scoring.profiles import profile_path


def _not_python(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    describe_interpreter(notes, timeout_s=10)


def _empty_folder(tmp_path: Path) -> None:
    resolve_python(str(tmp_path))


CASES: dict[str, Callable[[Path], object]] = {
    "missing interpreter": lambda tmp: resolve_python(str(tmp / "no-such-python")),
    "folder without python": _empty_folder,
    "not a python": _not_python,
    "unknown framework": lambda tmp: run_benchmarks(BenchOptions(frameworks=("mxnet",))),
    "no framework": lambda tmp: run_benchmarks(BenchOptions(frameworks=())),
    "no cuda": lambda tmp: resolve_device("cuda", []),
    "unknown profile": lambda tmp: profile_path("astrology"),
    "unknown format": lambda tmp: format_for(tmp / "notes.docx", None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_core_error_kind_reaches_the_panel_without_a_flag(
    name: str, qtbot: QtBot, tmp_path: Path
) -> None:
    with pytest.raises(AdvisorError) as caught:
        CASES[name](tmp_path)
    panel = FailurePanel()
    qtbot.addWidget(panel)
    panel.show_problem(app_message(caught.value))
    shown = panel.title.text()
    assert "--" not in shown, shown
    assert caught.value.option is None or caught.value.option.startswith("--")
    if caught.value.option:  # the subject is named in the app's words instead
        assert caught.value.code in SUBJECT_WORDS
        assert shown.split(" ")[0] in {"Python", "Framework", "Device", "Profile", "Report"}, shown
