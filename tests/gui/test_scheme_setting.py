"""A colour-scheme setting the app cannot use is one short line before any window opens."""

from __future__ import annotations

import os
from pathlib import Path

from advisor.gui.theme import SCHEME_VARIABLE
from tests.helpers import run_advisor


def test_a_huge_colour_scheme_setting_is_one_short_line(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{SCHEME_VARIABLE: "x" * 100_000})
    result = run_advisor("gui", timeout=120, env=env, cwd=Path(__file__).parents[2])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, result.stderr[:500]
    assert lines[0].startswith(f"framework-advisor: error: {SCHEME_VARIABLE}='xxx")
    assert lines[0].endswith("use light or dark, or leave it unset to follow the system")
