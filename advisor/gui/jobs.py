"""Long work (probing, benchmarking) on a worker thread, reported back to the GUI as signals."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from advisor.base.errors import AdvisorError
from advisor.gui.widgets import app_message

# A job's work gets a way to report progress and an event that asks it to stop.
Work = Callable[[Callable[[object], None], threading.Event], object]


class Job(QObject):
    """Runs one piece of work off the GUI thread; Qt queues its signals onto the GUI thread.

    A job ends with exactly one of `succeeded` or `failed`, so a page that reacts to either
    is idle again before anything else hears that the work ended.
    """

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str, str)  # one-line reason, details

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin the work; call once."""
        self._thread = threading.Thread(target=self._run, name="advisor-job", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop; it keeps what it finished."""
        self._cancel.set()

    def running(self) -> bool:
        """Whether the work has started and not yet ended."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_s: float) -> bool:
        """Block until the work ends (for shutdown); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.running()

    def _run(self) -> None:
        try:
            result = self._work(self.progress.emit, self._cancel)
        except AdvisorError as exc:
            self.failed.emit(app_message(exc), f"{type(exc).__name__} ({exc.code}): {exc}")
        except Exception as exc:  # a bug must reach the panel, not kill the thread silently
            self.failed.emit(f"internal error: {type(exc).__name__}: {exc}", traceback.format_exc())
        else:
            self.succeeded.emit(result)
