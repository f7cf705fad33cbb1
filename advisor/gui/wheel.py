"""Scrolling never changes an answer: a wheel over a value widget scrolls the page instead.

Qt gives a slider, spin box or combo box the wheel whenever the pointer is over it, and
keeps giving it once the widget has the focus, so scrolling a page moved an importance
slider the user had clicked, and three notches over the Python-environment selector
(focused by Ctrl+2) switched the interpreter. `guard_wheel` applies one rule to every
such widget in a window: the wheel goes to the scroll area around it, focused or not.
Sliders and spin boxes never take it (the keyboard and the mouse still move them); a
combo box takes it only while the user holds its list open, where the wheel scrolls the
list and a click chooses. (A filter on the whole application would see every event of
every object, Qt WebEngine's included, and PySide crashed wrapping objects
mid-destruction.)
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


def _opened(widget: QWidget) -> bool:
    """Whether the user holds the widget's list open (a combo box's popup)."""
    return isinstance(widget, QComboBox) and widget.view().isVisible()


class WheelGuard(QObject):
    """The event filter on each value widget (see the module's docstring)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not _guarded(watched) or not isinstance(watched, QWidget):
            return False
        if event.type() == QEvent.Type.Polish:
            _no_wheel_focus(watched)
            return False
        if event.type() != QEvent.Type.Wheel or _opened(watched):
            return False
        area = _scroll_area_around(watched)
        if area is not None:
            QCoreApplication.sendEvent(area.verticalScrollBar(), event)
        return True


def _no_wheel_focus(widget: QWidget) -> None:
    # A wheel must not give focus either: keys typed next would go to a widget only scrolled over.
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


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
            _no_wheel_focus(widget)
            widget.installEventFilter(guard)
