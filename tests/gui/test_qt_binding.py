"""The Qt binding itself: a defect here crashes the app mid-run, so it is checked directly."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()


def test_slots_returning_none_leave_the_refcount_of_none_alone() -> None:
    # PySide6 6.12.0 dropped one reference to None per slot call on Python 3.11 (where
    # None is not immortal): a 10 ms timer then killed the app with "deallocating None"
    # within a minute. pyproject.toml keeps that release out; this catches its like.
    emitter, calls = _Emitter(), []
    emitter.fired.connect(lambda: calls.append(1))
    before = sys.getrefcount(None)
    for _ in range(10_000):
        emitter.fired.emit()
    assert len(calls) == 10_000
    assert abs(sys.getrefcount(None) - before) < 100
