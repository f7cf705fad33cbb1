"""Light and dark: the app follows the system's colour scheme, or the one the user sets.

`FRAMEWORK_ADVISOR_COLOR_SCHEME=light|dark` overrides the system (for a desktop that does
not say, or a screenshot). Every widget draws with the palette, so the pages follow it;
the report preview is told the same scheme through CSS `color-scheme`, which its
`light-dark()` colours follow. Exports are untouched: the HTML file follows its reader's
system, and paper is always light.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from advisor.base.errors import UsageError, quoted

SCHEME_VARIABLE = "FRAMEWORK_ADVISOR_COLOR_SCHEME"
SCHEMES = ("light", "dark")

# The report's dark colours (report.css), so the app and its preview look like one thing.
# Fields and buttons are lighter than the window: Fusion outlines check boxes and radio
# buttons in a darker shade of the window, so they stand out only on a lighter base.
_DARK = {
    QPalette.ColorRole.Window: "#161b22",
    QPalette.ColorRole.WindowText: "#e6edf3",
    QPalette.ColorRole.Base: "#2d333b",
    QPalette.ColorRole.AlternateBase: "#262c36",
    QPalette.ColorRole.Text: "#e6edf3",
    QPalette.ColorRole.Button: "#30363d",
    QPalette.ColorRole.ButtonText: "#e6edf3",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: "#58a6ff",
    QPalette.ColorRole.HighlightedText: "#0d1117",
    QPalette.ColorRole.ToolTipBase: "#1c2128",
    QPalette.ColorRole.ToolTipText: "#e6edf3",
    QPalette.ColorRole.PlaceholderText: "#9198a1",
    QPalette.ColorRole.Link: "#58a6ff",
    QPalette.ColorRole.Light: "#3d444d",
    QPalette.ColorRole.Midlight: "#30363d",
    QPalette.ColorRole.Mid: "#30363d",
    QPalette.ColorRole.Dark: "#0d1117",
    QPalette.ColorRole.Shadow: "#010409",
}
_DISABLED_TEXT = "#6e7681"
# Each side's colour in light and dark, as in report.css.
_TONES = {
    "torch": ("#d9480f", "#ff8a4c"),
    "tensorflow": ("#1c6fd1", "#58a6ff"),
    "neutral": ("#8c959f", "#8c959f"),
}


def chosen_scheme() -> str | None:
    """'light' or 'dark' when the user set one, None to follow the system."""
    value = os.environ.get(SCHEME_VARIABLE, "").strip().lower()
    if not value:
        return None
    if value not in SCHEMES:
        raise UsageError(
            f"{SCHEME_VARIABLE}={quoted(os.environ[SCHEME_VARIABLE])}: use light or dark, "
            "or leave it unset to follow the system"
        )
    return value


def is_dark() -> bool:
    """Whether the app draws dark: the user's setting, else the system's scheme."""
    chosen = chosen_scheme()
    if chosen is not None:
        return chosen == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def tone_colour(tone: str) -> QColor:
    """A framework's colour ('torch', 'tensorflow' or 'neutral') in the current scheme."""
    return QColor(_TONES[tone][is_dark()])


def dark_palette() -> QPalette:
    """The app's dark palette."""
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT))
    return palette


class ReadableStyle(QProxyStyle):
    """Fusion, with a chosen radio button that reads: Fusion draws its dot in a faint
    shade of the text colour, a grey speck on a dark field; here it is larger and in the
    highlight colour, in light and dark alike."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Fusion's drawing, then the chosen radio button's dot over it."""
        super().drawPrimitive(element, option, painter, widget)
        chosen = bool(option.state & QStyle.StateFlag.State_On)
        if element != QStyle.PrimitiveElement.PE_IndicatorRadioButton or not chosen:
            return
        rect = option.rect
        # Fusion's circle sits one pixel right of and below the rectangle's centre.
        centre = QPointF(rect.center()) + QPointF(1, 1)
        radius = rect.width() / 4.5  # Fusion's own dot: about a sixth of the width
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(option.palette.highlight())
        painter.drawEllipse(centre, radius, radius)
        painter.restore()


def apply_scheme(app: QApplication) -> None:
    """Draw the app in its scheme with Fusion, which draws every widget from the palette."""
    app.setStyle(ReadableStyle())
    app.setPalette(dark_palette() if is_dark() else app.style().standardPalette())


def preview_html(html: str, dark: bool) -> str:
    """The report as the preview shows it: in the app's scheme, not the web engine's guess."""
    scheme = "dark" if dark else "light"
    return html.replace("</head>", f"<style>:root {{ color-scheme: {scheme}; }}</style></head>", 1)
