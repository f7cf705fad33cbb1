"""A run's progress in the status bar: a determinate bar, the current step and the time left."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget

from advisor.base.progress import Progress
from advisor.wording.formatting import progress_text, time_left

_STEPS = 1000  # the bar's range: tenths of a percent
TICK_MS = 500  # the time left counts down between the run's own updates


class RunProgressBar(QWidget):
    """Hidden while idle; during a run, '<what>: <step>' beside a bar and the time left."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.bar = QProgressBar()
        self.bar.setRange(0, _STEPS)
        self.bar.setAccessibleName(f"{what} progress")
        self.bar.setMaximumWidth(160)
        self.label = QLabel()
        # A long step is cut at the status bar's edge (the tooltip has it all), never
        # widening the window.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setAccessibleName(f"{what} step and time left")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        self._latest: Progress | None = None
        self._received = 0.0
        self._most = 0  # the bar's value never goes back during a run
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.hide()

    def show_progress(self, progress: Progress | None) -> None:
        """A run's latest progress; None when it ended (the bar hides)."""
        self._latest = progress
        self._received = time.monotonic()
        if progress is None:
            self._timer.stop()
            self._most = 0
            self.hide()
            return
        self._timer.start()
        self._show(progress)
        self.show()

    def shown(self) -> Progress | None:
        """What the bar shows now (the latest update, counted down to this moment)."""
        if self._latest is None:
            return None
        return self._latest.after(time.monotonic() - self._received)

    def _tick(self) -> None:
        progress = self.shown()
        if progress is not None:
            self._show(progress)

    def _show(self, progress: Progress) -> None:
        # An estimate that grows moves the time left, never the bar back.
        self._most = max(self._most, round(progress.fraction * _STEPS))
        self.bar.setValue(self._most)
        text = f"{self.what}: {progress_text(progress)}"
        self.label.setText(text)
        self.label.setToolTip(text)
        left = time_left(progress) or progress.step
        self.bar.setToolTip(f"{self._most / _STEPS:.0%} · {left}")
