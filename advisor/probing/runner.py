"""Run one subprocess with a timeout, live stderr events, and a process-group kill."""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from advisor.base.text import one_line
from advisor.probing.child_folder import (
    child_environment,
    make_child_folder,
    remove_child_folder,
)

ProgressCallback = Callable[[dict[str, Any]], None]

_EVENT_MARKER = '{"event"'
# What is kept of a child's output: its result document is a few kilobytes, and only
# the last lines of its log are ever shown. A child that prints gigabytes costs no memory.
MAX_STDOUT_BYTES = 16 << 20
_MAX_LOG_LINES = 200
_MAX_LINE_CHARS = 4096  # of a log line kept
# An event line carries a case's or a model's raw samples: a full preset's 200 timed
# blocks are about 5 KB of JSON. Longer lines arrive cut, as log text.
_MAX_EVENT_CHARS = 1 << 20


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
    stdout_overflow: bool = False  # it printed more than MAX_STDOUT_BYTES (the rest was dropped)
    oom_killed: bool = False  # the kernel's out-of-memory killer struck while it ran

    def json_object(self) -> dict[str, Any] | None:
        """What it printed, as the one JSON object a probe writes, or None for anything else."""
        try:
            document = json.loads(self.stdout)
        except json.JSONDecodeError:
            return None
        return document if isinstance(document, dict) else None

    def failure_reason(self, timeout_s: float) -> str | None:
        """Why the process failed, in one line, or None if it exited 0."""
        if self.start_error:
            return f"could not start: {self.start_error}"
        if self.cancelled:
            return "cancelled by the user"
        if self.timed_out:
            return f"timed out after {timeout_s:g} s and was killed"
        if self.returncode == -signal.SIGKILL and self.oom_killed:
            return "out of memory: killed by the kernel's out-of-memory killer"
        if self.returncode is not None and self.returncode < 0:
            return f"killed by signal {_signal_name(-self.returncode)}{self._last_log()}"
        if self.returncode:
            last = self._last_log()
            oom = "out of memory: " if _ALLOCATOR_OUT_OF_MEMORY.search(last) else ""
            return f"{oom}exited with status {self.returncode}{last}"
        if self.stdout_overflow:
            return f"printed more than {MAX_STDOUT_BYTES >> 20} MiB on its standard output"
        return None

    def _last_log(self) -> str:
        lines = [line for line in self.log_lines if line.strip()]
        return f": {one_line(lines[-1])}" if lines else ""


# How allocators say it: Python, C++, CUDA and the frameworks' own messages.
_ALLOCATOR_OUT_OF_MEMORY = re.compile(
    r"MemoryError|bad_alloc|out of memory|Cannot allocate memory|OOM when allocating", re.I
)


def memory_cgroups() -> list[tuple[Path, int]]:
    """This process's memory cgroup folders, each with its cgroup version (1 or 2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        _id, controllers, path = line.split(":", 2)
        if controllers == "":
            found.append((Path("/sys/fs/cgroup") / path.lstrip("/"), 2))
        elif "memory" in controllers.split(","):
            found.append((Path("/sys/fs/cgroup/memory") / path.lstrip("/"), 1))
    return found


def oom_kills() -> int | None:
    """The kernel's count of OOM kills in this process's memory cgroup; None where unknown.

    Read from cgroup v2's `memory.events` or v1's `memory.oom_control`. Children run in
    the advisor's cgroup, so a kill while one ran, of a child that died by SIGKILL, is it.
    """
    for folder, version in memory_cgroups():
        where = folder / ("memory.events" if version == 2 else "memory.oom_control")
        try:
            for entry in where.read_text().splitlines():
                name, _, value = entry.partition(" ")
                if name == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            continue
    return None


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


Ending = Literal["exited", "timed_out", "cancelled"]
_POLL_S = 0.1


class ManagedProcess:
    """A subprocess in its own process group, with live stderr events and a sure kill.

    `run_process` uses it to run a command to completion; the benchmark driver keeps
    one open and sends it commands on stdin (``interactive=True``). The child runs in
    its own folder (home, caches, temporary files: see child_folder), removed once it
    has been reaped, or at the latest when the advisor exits. ``env`` is the base
    environment (default: the advisor's own).
    """

    def __init__(
        self,
        argv: Sequence[str],
        on_event: ProgressCallback | None = None,
        env: dict[str, str] | None = None,
        interactive: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.started = clock()
        self.ended: float | None = None
        self._oom_kills_before = oom_kills()
        self.start_error: str | None = None
        self.log_lines: collections.deque[str] = collections.deque(maxlen=_MAX_LOG_LINES)
        self._stdout: list[str] = []
        self._stdout_overflow = False
        self._readers: list[threading.Thread] = []
        self._remove_folder: Callable[[], object] = lambda: None
        try:
            folder = make_child_folder()
            self._remove_folder = weakref.finalize(self, remove_child_folder, folder)
            self.process: subprocess.Popen[str] | None = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE if interactive else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env=child_environment(os.environ if env is None else env, folder),
                start_new_session=sys.platform != "win32",
            )
        except OSError as exc:  # no folder for it (a full disk) or no such program
            self.process = None
            self.start_error = exc.strerror or str(exc)
            self._remove_folder()
            return
        self._readers = [
            threading.Thread(target=self._read_stderr, args=(on_event,), daemon=True),
            threading.Thread(target=self._read_stdout, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @property
    def pid(self) -> int | None:
        """The process id; None when it never started."""
        return None if self.process is None else self.process.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process is not None and self.process.poll() is None

    def send(self, line: str) -> bool:
        """Write one command line to the process; False if it can no longer read."""
        if self.process is None or self.process.stdin is None or not self.alive():
            return False
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        except OSError:
            return False
        return True

    def wait(self, timeout_s: float, cancel: threading.Event | None = None) -> Ending:
        """Wait for the exit; past the timeout, on cancel or on Ctrl-C, kill the process group."""
        if self.process is None:
            return "exited"
        if self.process.stdin is not None:
            self.process.stdin.close()
        deadline = self.clock() + timeout_s
        ending: Ending
        try:
            while True:
                try:
                    self.process.wait(timeout=_POLL_S)
                    self.ended = self.clock()
                    kill_tree(self.process)  # anything it started and left behind
                    self._remove_folder()
                    return "exited"
                except subprocess.TimeoutExpired:
                    pass
                if cancel is not None and cancel.is_set():
                    ending = "cancelled"
                    break
                if self.clock() >= deadline:
                    ending = "timed_out"
                    break
        except KeyboardInterrupt:
            ending = "cancelled"
        self.kill()
        return ending

    def kill(self) -> None:
        """Kill the process and everything it started, and reap it."""
        if self.process is None:
            return
        kill_tree(self.process)
        self.process.wait()
        self.ended = self.ended or self.clock()
        self._remove_folder()

    def result(self, ending: Ending) -> ProcessResult:
        """How the process ended, once it has."""
        for reader in self._readers:
            reader.join(timeout=5)
        duration = (self.ended or self.clock()) - self.started
        if self.process is None:
            return ProcessResult(None, "", (), duration, start_error=self.start_error)
        return ProcessResult(
            self.process.returncode if ending == "exited" else None,
            "".join(self._stdout),
            tuple(self.log_lines),
            duration,
            timed_out=ending == "timed_out",
            cancelled=ending == "cancelled",
            stdout_overflow=self._stdout_overflow,
            oom_killed=self._oom_killed(),
        )

    def _oom_killed(self) -> bool:
        before, after = self._oom_kills_before, oom_kills()
        return before is not None and after is not None and after > before

    def _read_stderr(self, on_event: ProgressCallback | None) -> None:
        assert self.process is not None and self.process.stderr is not None
        # Read in bounded pieces: a line longer than that arrives cut, as log text.
        while line := self.process.stderr.readline(_MAX_EVENT_CHARS):
            event = parse_event(line)
            if event is None:
                self.log_lines.append(line[:_MAX_LINE_CHARS].rstrip("\n"))
            elif on_event is not None:
                on_event(event)

    def _read_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        kept = 0
        while chunk := self.process.stdout.read(1 << 16):
            if self._stdout_overflow or kept + len(chunk) > MAX_STDOUT_BYTES:
                self._stdout_overflow = True
                continue  # keep draining, so the child never blocks on a full pipe
            self._stdout.append(chunk)
            kept += len(chunk)


def run_process(
    argv: Sequence[str],
    timeout_s: float,
    on_event: ProgressCallback | None = None,
    env: dict[str, str] | None = None,
    cancel: threading.Event | None = None,
) -> ProcessResult:
    """Run ``argv`` to completion; kill its process group past ``timeout_s`` or on cancel.

    Cancelling (setting ``cancel``, or Ctrl-C reaching this thread) kills the process
    within a polling interval and returns what it had printed so far.
    """
    managed = ManagedProcess(argv, on_event, env)
    return managed.result(managed.wait(timeout_s, cancel))


def kill_tree(process: subprocess.Popen[str]) -> None:
    """Kill the process and everything it started (its process group on POSIX)."""
    if sys.platform == "win32":
        process.kill()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
