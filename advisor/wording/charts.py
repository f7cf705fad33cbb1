"""Geometry of the report's bar charts; the templates draw it as inline SVG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from advisor.machine.load import is_busy

# A bar chart row is drawn in a viewBox 0..WIDTH wide with its zero line in the middle.
WIDTH = 200.0
CENTRE = WIDTH / 2
Tone = Literal["torch", "tensorflow", "neutral"]


@dataclass(frozen=True)
class Bar:
    """One row of a diverging bar chart: right of the centre line is positive."""

    label: str
    text: str  # the figure, spelled out next to the bar
    tone: Tone
    x: float
    width: float
    interval: tuple[float, float] | None = None  # x of the interval's ends, drawn as a whisker


@dataclass(frozen=True)
class BarInput:
    """What a chart row shows: a signed value, its words and its colour."""

    label: str
    value: float
    text: str
    tone: Tone
    interval: tuple[float, float] | None = None  # the value's interval, on the same scale


def diverging_bars(items: Sequence[BarInput]) -> tuple[Bar, ...]:
    """Bars scaled so the longest bar or interval reaches the edge; a zero value draws no bar."""
    largest = max(
        (abs(v) for item in items for v in (item.value, *(item.interval or ()))), default=0.0
    )
    scale = CENTRE / largest if largest > 0 else 0.0
    bars = []
    for item in items:
        width = abs(item.value) * scale
        x = CENTRE if item.value >= 0 else CENTRE - width
        interval = None
        if item.interval is not None:
            low, high = (round(CENTRE + v * scale, 2) for v in item.interval)
            interval = (low, high)
        bars.append(Bar(item.label, item.text, item.tone, round(x, 2), round(width, 2), interval))
    return tuple(bars)


def tone_of(value: float) -> Tone:
    """The side a signed value favours: positive is PyTorch's, negative TensorFlow's."""
    return "torch" if value > 0 else "tensorflow" if value < 0 else "neutral"


def framework_tone(framework: str) -> Tone:
    """A framework's own colour."""
    return "torch" if framework == "torch" else "tensorflow"


def log_ratio(ratio: float) -> float:
    """A speed ratio on a log scale, so 2x and 0.5x draw equally long bars."""
    return math.log2(ratio)


def log_interval(interval: tuple[float, float] | None) -> tuple[float, float] | None:
    """A ratio's interval on the same log scale (its whisker), or None without one."""
    return (log_ratio(interval[0]), log_ratio(interval[1])) if interval else None


def ratio_tone(
    ratio: float, interval: tuple[float, float] | None, busy: float | None = None
) -> Tone:
    """A speed ratio's colour: the faster side's, neutral where the interval holds 1.0 (a
    tie, as its words say) or where it was measured on a busy machine (its words say so,
    and the advice leaves it out)."""
    if (interval is not None and interval[0] <= 1.0 <= interval[1]) or is_busy(busy):
        return "neutral"
    return tone_of(log_ratio(ratio))
