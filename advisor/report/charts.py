"""Geometry of the report's bar charts; the templates draw it as inline SVG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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


@dataclass(frozen=True)
class BarInput:
    """What a chart row shows: a signed value, its words and its colour."""

    label: str
    value: float
    text: str
    tone: Tone


def diverging_bars(items: Sequence[BarInput]) -> tuple[Bar, ...]:
    """Bars scaled so the longest reaches the edge; a zero value draws no bar."""
    largest = max((abs(item.value) for item in items), default=0.0)
    bars = []
    for item in items:
        width = CENTRE * abs(item.value) / largest if largest > 0 else 0.0
        x = CENTRE if item.value >= 0 else CENTRE - width
        bars.append(Bar(item.label, item.text, item.tone, round(x, 2), round(width, 2)))
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
