"""Run one subprocess with a timeout, live stderr events, and a process-group kill."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

ProgressCallback = Callable[[dict[str, Any]], None]

_EVENT_MARKER = '{"event"'


@dataclass(frozen=True)
class ProcessResult:
    """How a subprocess ended: its output, or why there is none."""

    returncode: int | None  # None when it never started or was killed for the timeout
    stdout: str
    log_lines: tuple[str, ...]  # stderr lines that were not progress events
    duration_s: float
    timed_out: bool = False
    start_error: str | None = None
    cancelled: bool = False

    def failure_reason(self, timeout_s: float) -> str | None:
        """Why the process failed, in one line, or None if it exited 0."""
        if self.start_error:
            return f"could not start: {self.start_error}"
        if self.cancelled:
            return "cancelled by the user"
        if self.timed_out:
            return f"timed out after {timeout_s:g} s and was killed"
        if self.returncode is not None and self.returncode < 0:
            return f"killed by signal {_signal_name(-self.returncode)}{self._last_log()}"
        if self.returncode:
            return f"exited with status {self.returncode}{self._last_log()}"
        return None

    def _last_log(self) -> str:
        lines = [line for line in self.log_lines if line.strip()]
        return f": {lines[-1].strip()}" if lines else ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def parse_event(line: str) -> dict[str, Any] | None:
    """A progress event from one stderr line, or None for ordinary log text."""
    start = line.find(_EVENT_MARKER)
    if start < 0:
        return None
    try:
        event = json.loads(line[start:])
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None


def run_process(
    argv: Sequence[str],
    timeout_s: float,
    on_event: ProgressCallback | None = None,
    env: dict[str, str] | None = None,
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ProcessResult:
    """Run ``argv``; kill its whole process group if it outlives ``timeout_s`` or is cancelled.

    Cancelling (setting ``cancel``, or Ctrl-C reaching this thread) kills the process
    within a polling interval and returns what it had printed so far.
    """
    started = clock()
    try:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=sys.platform != "win32",
        )
    except OSError as exc:
        return ProcessResult(None, "", (), clock() - started, start_error=exc.strerror or str(exc))
    log_lines: list[str] = []
    stdout_parts: list[str] = []
    readers = [
        threading.Thread(target=_read_stderr, args=(process, log_lines, on_event), daemon=True),
        threading.Thread(target=_read_all, args=(process.stdout, stdout_parts), daemon=True),
    ]
    for reader in readers:
        reader.start()
    ending = _wait_or_kill(process, timeout_s, cancel or threading.Event(), clock)
    for reader in readers:
        reader.join(timeout=5)
    return ProcessResult(
        process.returncode if ending == "exited" else None,
        "".join(stdout_parts),
        tuple(log_lines),
        clock() - started,
        timed_out=ending == "timed_out",
        cancelled=ending == "cancelled",
    )


_POLL_S = 0.1


def _wait_or_kill(
    process: subprocess.Popen[str],
    timeout_s: float,
    cancel: threading.Event,
    clock: Callable[[], float],
) -> str:
    """'exited', or 'timed_out' / 'cancelled' after killing the process group."""
    deadline = clock() + timeout_s
    try:
        while True:
            try:
                process.wait(timeout=_POLL_S)
                return "exited"
            except subprocess.TimeoutExpired:
                pass
            if cancel.is_set():
                ending = "cancelled"
                break
            if clock() >= deadline:
                ending = "timed_out"
                break
    except KeyboardInterrupt:
        ending = "cancelled"
    kill_tree(process)
    process.wait()
    return ending


def kill_tree(process: subprocess.Popen[str]) -> None:
    """Kill the process and everything it started (its process group on POSIX)."""
    if sys.platform == "win32":
        process.kill()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _read_stderr(
    process: subprocess.Popen[str], log_lines: list[str], on_event: ProgressCallback | None
) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        event = parse_event(line)
        if event is None:
            log_lines.append(line.rstrip("\n"))
        elif on_event is not None:
            on_event(event)


def _read_all(stream: Any, parts: list[str]) -> None:
    parts.append(stream.read())
