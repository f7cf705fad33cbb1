"""The main window sized for its screen: at 200 % a 1920x1080 screen is 960x540, smaller than
the size the window prefers and even than its usual minimum, and the status bar (where a
run's progress is) must stay on screen."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget, preferred: tuple[int, int], least: tuple[int, int]) -> None:
    """Start at `preferred`, keep at least `least`, neither larger than the screen's free
    area; once shown, with the frame the window manager adds known, move and shrink the
    window into that area."""
    room = window.screen().availableGeometry()
    width, height = min(preferred[0], room.width()), min(preferred[1], room.height())
    window.setMinimumSize(min(least[0], room.width()), min(least[1], room.height()))
    window.resize(width, height)
    window.installEventFilter(_FitOnShow(window))


class _FitOnShow(QObject):
    """On the window's first show: its frame inside the screen's free area."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit once the window is shown (its frame is known only then)."""
        if watched is self._window and event.type() == QEvent.Type.Show:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self._fit)
        return False

    def _fit(self) -> None:
        window = self._window
        room = window.screen().availableGeometry()
        frame = window.frameGeometry()
        extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
        width = min(window.width(), room.width() - extra_w)
        height = min(window.height(), room.height() - extra_h)
        if (width, height) != (window.width(), window.height()):
            window.setMinimumSize(
                min(window.minimumWidth(), width), min(window.minimumHeight(), height)
            )
            window.resize(width, height)
        if not room.contains(window.frameGeometry()):
            window.move(room.topLeft())  # move() places the frame, title bar included
