"""Stop signals for both front-ends: SIGTERM and SIGHUP stop a job as Ctrl-C does.

A stop signal sets the job's cancel event, the one the app's Cancel button sets: every
wait of a job polls it, kills its child processes as a process group, and the job
returns what finished (or raises CancelledError when nothing did). Nothing is raised
in the middle of a statement, so a signal that lands while results are being put
together, printed or saved cannot discard them. A later signal, while that shutdown
runs, is only acknowledged, so a second Ctrl-C cannot cut the saving short. The exit
status is the shell's convention for the signal: 128 + its number (130 for Ctrl-C).
The app polls the same event from its event loop: it closes its window as the user
would (running work cancelled, the session saved) and stops a PDF being printed.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_AGAIN = b"framework-advisor: already stopping; keeping what finished\n"


class StopSignals:
    """Which stop signal arrived first, if any, and the cancel event it set."""

    def __init__(self) -> None:
        self.received: int | None = None
        # Only ever polled with is_set() by the main thread: Event.set() takes a lock,
        # which a handler must never wait for while the interrupted code holds it.
        self.cancel = threading.Event()

    def handle(self, number: int, _frame: FrameType | None) -> None:
        if self.received is None:
            self.received = number
            self.cancel.set()
            return
        os.write(2, _AGAIN)  # async-signal-safe, unlike print()

    def exit_code(self, default: int) -> int:
        """128 + the signal's number once one arrived, else ``default``."""
        return 128 + self.received if self.received is not None else default


@contextmanager
def stop_signals() -> Iterator[StopSignals]:
    """Route SIGINT, SIGTERM and SIGHUP through one StopSignals while the block runs."""
    stops = StopSignals()
    previous = {number: signal.signal(number, stops.handle) for number in STOP_SIGNALS}
    try:
        yield stops
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
