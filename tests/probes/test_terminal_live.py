"""Live progress in the terminal, for real: a bar with the time left on a terminal (a
pseudo-terminal here), plain lines into a pipe, nothing with --quiet."""

from __future__ import annotations

import os
import pty
import re
import select
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import run_captured

# The quickest real run: two mobile routes of the tiny models (a few seconds).
COMMAND = [sys.executable, "-m", "advisor", "deploy", "--preset", "tiny", "--targets", "mobile"]
FINISHED = "LiteRT (.tflite) from Keras model.export: works"

pytestmark = pytest.mark.frameworks


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, FRAMEWORK_ADVISOR_DATA_DIR=str(tmp_path), COLUMNS="110", TERM="xterm")


def _in_a_terminal(argv: list[str], env: dict[str, str], timeout_s: float) -> tuple[int, str]:
    """Run argv with a pseudo-terminal as its stdout and stderr; its exit code and output."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once, nothing else
        os.execvpe(argv[0], argv, env)
    output = b""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        output += data
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def test_on_a_terminal_a_live_bar_shows_the_step_and_the_time_left(tmp_path: Path) -> None:
    code, output = _in_a_terminal(COMMAND, _env(tmp_path), timeout_s=240)
    assert code == 0, output[-2000:]
    assert "━" in output and "\x1b[" in output  # rich's bar, drawn in place
    assert "estimating time left" in output  # until the plan is known
    assert re.search(r"about \d+ (s|min)( \d+ s)? left|almost done", output)
    assert "  … LiteRT" in output  # finished routes stay above the bar
    assert FINISHED in output  # the results, after the bar has gone


def test_into_a_pipe_progress_is_plain_lines(tmp_path: Path) -> None:
    done = run_captured(COMMAND, timeout=240, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "\x1b[" not in done.stderr and "━" not in done.stderr and "\r" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("  … ") for line in lines[:-1])
    assert any(line.startswith("  … LiteRT") for line in lines)
    assert FINISHED in done.stdout


def test_quiet_says_nothing_on_stderr_but_the_saved_record(tmp_path: Path) -> None:
    output = tmp_path / "run.json"
    done = run_captured(
        [*COMMAND, "--quiet", "--output", str(output)], timeout=240, env=_env(tmp_path)
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == "" and output.exists()
