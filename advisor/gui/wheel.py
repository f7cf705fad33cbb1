"""Scrolling never changes an answer: a wheel over a value widget scrolls the page instead.

Qt gives a slider, spin box or combo box the wheel whenever the pointer is over it, so
scrolling the questions page moved importance sliders under the pointer and silently
changed the recommendation. `guard_wheel` applies one rule to every such widget in a
window: a widget takes the wheel only once it has the keyboard focus (the user clicked
or tabbed to it); otherwise the wheel goes to the scroll area around it. (A filter on
the whole application would see every event of every object, Qt WebEngine's included,
and PySide crashed wrapping objects mid-destruction.)
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QScrollBar,
    QWidget,
)

VALUE_WIDGETS = (QAbstractSlider, QAbstractSpinBox, QComboBox)


def _guarded(widget: QObject) -> bool:
    """A widget whose value the wheel would change (a scroll bar is there to scroll)."""
    return isinstance(widget, VALUE_WIDGETS) and not isinstance(widget, QScrollBar)


class WheelGuard(QObject):
    """The application-wide event filter (see the module's docstring)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not _guarded(watched) or not isinstance(watched, QWidget):
            return False
        if event.type() == QEvent.Type.Polish:
            # A wheel must not give focus either: Qt would then let the widget take it.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = _scroll_area_around(watched)
        if area is not None:
            QCoreApplication.sendEvent(area.verticalScrollBar(), event)
        return True


def _scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def guard_wheel(window: QWidget) -> None:
    """Apply the rule to every value widget in ``window`` (call once its pages are built)."""
    guard = WheelGuard(window)
    for widget in window.findChildren(QWidget):
        if _guarded(widget):
            # A wheel must not give focus either: Qt would then let the widget take it.
            if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(guard)
