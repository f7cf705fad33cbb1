"""Displays where Qt would abort: the app asks the X server itself first and says why in one line.

Real X servers (Xvfb, one with an authorization cookie) and real display names; the app
runs as a user starts it, in a process of its own.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from advisor.base import display
from tests.helpers import run_advisor

HINT = "; the terminal commands work without one, e.g. framework-advisor report"


def _start_app(display: str, xauthority: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, XAUTHORITY=str(xauthority))
    return run_advisor("gui", timeout=60, env=env)


@pytest.mark.parametrize(
    ("display", "reason"),
    [
        (
            "nohost.invalid:0",
            "no X server answers at DISPLAY=nohost.invalid:0 "
            "(is it running, and is DISPLAY right?)",
        ),
        (":abc", "DISPLAY=:abc is not an X display name (such as :0 or host:0)"),
        (
            "127.0.0.2:9",
            "no X server answers at DISPLAY=127.0.0.2:9 (is it running, and is DISPLAY right?)",
        ),
    ],
)
def test_a_display_qt_cannot_open_is_one_line_and_exit_code_2(
    tmp_path: Path, display: str, reason: str
) -> None:
    result = _start_app(display, tmp_path / "no-cookie")
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stdout == ""
    assert result.stderr == f"framework-advisor: error: cannot open a window: {reason}{HINT}\n"


def test_an_x_server_that_refuses_this_user_is_one_line_naming_the_cookie(
    tmp_path: Path, guarded_x_server: tuple[str, Path]
) -> None:
    display, _cookie = guarded_x_server
    result = _start_app(display, tmp_path / "no-cookie")  # as after sudo, or ssh without it
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        f"framework-advisor: error: cannot open a window: the X server at DISPLAY={display} "
        "refused this user (Authorization required"
    )
    assert "XAUTHORITY does not name its cookie" in result.stderr


def test_the_same_x_server_admits_the_holder_of_its_cookie(
    guarded_x_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown, cookie = guarded_x_server
    monkeypatch.setenv("XAUTHORITY", str(cookie))
    assert display.x_server_problem(shown) is None
