"""Small shared widgets: the inline failure panel, section headings, read-only tables."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from advisor.base.errors import AdvisorError
from advisor.base.text import breakable

# The app's own words in front of a core error's subject (the terminal puts its flag there).
SUBJECT_WORDS = {
    "bad-interpreter": "Python environment",
    "unknown-framework": "Framework",
    "bad-device": "Device",
    "unknown-profile": "Profile",
    "unknown-format": "Report file",
}
# Fusion marks a focused slider with a faint dotted line and a focused combo box not at
# all: a ring that shows, in the palette's highlight colour, so it follows light and dark.
FOCUS_MARK = (
    "QSlider:focus, QComboBox:focus { border: 2px solid palette(highlight); border-radius: 4px; }"
    " QComboBox:focus { padding: 1px 4px; }"
)


class WrapLabel(QLabel):
    """Plain text that wraps, long paths and tokens included: for text from outside the
    app (reasons, device names, paths), which must never widen the window."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(breakable(text))


def app_message(exc: AdvisorError) -> str:
    """An error as the app says it: the subject in words, then the core's message."""
    words = SUBJECT_WORDS.get(exc.code)
    return f"{words} {exc}" if words else str(exc)


class FailurePanel(QFrame):
    """An inline panel naming what failed and why, with the details one click away."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("failurePanel")
        self.setAccessibleName("Problem")
        self.setStyleSheet(
            "#failurePanel { border: 1px solid palette(mid); border-left: 4px solid #cf222e; }"
        )
        self.title = WrapLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Problem details")
        self.details.setMaximumHeight(160)
        self.details.hide()
        self.toggle = QPushButton("Show details")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._show_details)
        dismiss = QPushButton("Dismiss")
        dismiss.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.toggle)
        buttons.addWidget(dismiss)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addWidget(self.details)
        self.hide()

    def show_problem(self, reason: str, details: str = "") -> None:
        """Show the reason; the details stay folded until asked for."""
        self.title.setText(reason)
        self.details.setPlainText(details or reason)
        self.toggle.setChecked(False)
        self.show()

    def clear(self) -> None:
        """Hide the panel."""
        self.hide()
        self.title.clear()

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.toggle.setText("Hide details" if shown else "Show details")


class FileNotice(QWidget):
    """'PDF report written to …' with an Open button, until the next file or message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.label = WrapLabel()
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open the file just written")
        self.open_button.clicked.connect(self.open_file)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.open_button)  # beside the file it opens
        layout.addStretch(1)
        self.hide()

    def show_file(self, path: Path, text: str) -> None:
        """Say that `path` was written; Open shows it in the desktop's application for it."""
        self.path = path
        self.label.setText(text)
        self.open_button.setToolTip(f"Open {path}")
        self.show()

    def open_file(self) -> None:
        """Open the file as a double click in the file manager would."""
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))


def heading(text: str) -> QLabel:
    """A page or section title in a larger, bold font."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    return label


def note(text: str) -> QLabel:
    """Wrapped secondary text (help, explanations)."""
    label = WrapLabel(text)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def read_only_table(columns: list[str], accessible_name: str) -> QTableWidget:
    """A table of results: not editable, wrapping, and one Tab stop (arrow keys move inside)."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setAccessibleName(accessible_name)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab leaves the table instead of walking its cells
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
    # A column that narrows wraps its cells onto more lines: the rows grow with it, so no
    # cell is cut short (a ratio's words run to three lines in a narrow window). Once the
    # columns have settled: rows grown mid-way bring a scroll bar that narrows them again.
    settle = QTimer(table)
    settle.setSingleShot(True)
    settle.timeout.connect(table.resizeRowsToContents)
    table.horizontalHeader().sectionResized.connect(lambda *_: settle.start(0))
    return table


def tab_stops(widget: QWidget) -> list[QWidget]:
    """The widgets inside `widget` that Tab stops at, in the order they were built."""
    return [
        child
        for child in widget.findChildren(QWidget)
        if child.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]
