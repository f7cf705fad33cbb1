"""Live progress on stderr: a bar with the step and time left on a terminal, plain lines
otherwise (a pipe, a log file, CI), nothing with --quiet.

The stream given is the real one: the bar is drawn with terminal escapes, so it cannot go
through the command line's neutralising wrapper; every text shown here is neutralised
here instead (see advisor.base.text).
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar
from rich.text import Text

from advisor.base.progress import Progress
from advisor.base.text import neutralised
from advisor.wording.formatting import time_left

_STEPS = 1000


class _TimeLeft(ProgressColumn):
    """The latest estimate, counted down as the bar redraws between the run's updates."""

    def render(self, task: Task) -> Text:
        progress = task.fields.get("progress")
        if not isinstance(progress, Progress):
            return Text(time_left(None))
        return Text(time_left(progress.after(time.monotonic() - task.fields["at"])))


class LiveOutput:
    """Where a command's progress goes: lines above a live bar, or plain lines.

    Use it as a context manager around the run; `line` for what stays on screen (a
    finished case, a message), `progress` for where the run stands.
    """

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and self.stream.isatty()
        self._bar: Bar | None = None
        self._task: TaskID | None = None
        self._most = 0  # the bar's furthest point in this run

    def __enter__(self) -> LiveOutput:
        if self.live:
            console = Console(file=self.stream, highlight=False)
            self._bar = Bar(
                TextColumn("{task.percentage:>3.0f}%"),
                BarColumn(),
                _TimeLeft(),
                TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False),
                console=console,
                transient=True,  # the bar goes when the run ends; the lines above stay
            )
            self._bar.start()
            self._task = self._bar.add_task("starting", total=_STEPS, progress=None, at=0.0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def line(self, text: str) -> None:
        """A line that stays: above the bar on a terminal, else on its own."""
        if self.quiet:
            return
        line = f"  … {neutralised(text)}"
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.stream, flush=True)

    def progress(self, progress: Progress) -> None:
        """Move the bar (plain output has no bar: its lines already say what finished)."""
        if self._bar is not None and self._task is not None:
            # An estimate that grows moves the time left, never the bar back.
            self._most = max(self._most, round(progress.fraction * _STEPS))
            self._bar.update(
                self._task,
                completed=self._most,
                description=neutralised(progress.step),
                progress=progress,
                at=time.monotonic(),
            )
