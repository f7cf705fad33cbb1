"""Report: the exact HTML that export writes, previewed in Qt WebEngine, and the export buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from advisor.gui.theme import is_dark, preview_html
from advisor.gui.widgets import FailurePanel, heading, note

if TYPE_CHECKING:
    from PySide6.QtWebEngineWidgets import QWebEngineView

EXPORTS = (("html", "Export &HTML…"), ("pdf", "Export &PDF…"), ("json", "Export &JSON…"))


class ReportPage(QWidget):
    """A browser view of the report; the web engine starts on first use, not at launch."""

    export_requested = Signal(str)  # format

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.html = ""
        self._loaded = ""
        self._view: QWebEngineView | None = None
        self.panel = FailurePanel()
        self.placeholder = QLabel("The report appears here once the machine has been probed.")
        self.placeholder.setWordWrap(True)
        buttons = QHBoxLayout()
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt, label in EXPORTS:
            button = QPushButton(label)
            button.setAccessibleName(f"Export the report as {fmt.upper()}")
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, f=fmt: self.export_requested.emit(f))
            buttons.addWidget(button)
            self.export_buttons[fmt] = button
        self.leave_out_identity = QCheckBox("&Leave out host, user and home folder")
        self.leave_out_identity.setToolTip(
            "For a report to share: the exported file says 'host', 'user' and '~' instead"
        )
        buttons.addWidget(self.leave_out_identity)
        buttons.addStretch()
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(heading("Report"))
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.panel)
        self.notice = note("")
        self.notice.setAccessibleName("Measuring notice")
        self.notice.hide()
        self.layout_.addWidget(self.notice)
        self.layout_.addWidget(self.placeholder, 1)

    def show_measuring(self, what: str | None) -> None:
        """Say that a run is in progress and that this report still shows the last results."""
        self.notice.setVisible(what is not None)
        if what is not None:
            self.notice.setText(
                f"Measuring {what}… This report shows the last complete results until it ends."
            )

    def show_html(self, html: str) -> None:
        """Show this report (the same string the HTML export writes)."""
        self.html = html
        for button in self.export_buttons.values():
            button.setEnabled(True)
        if self.isVisible():
            self._load()

    def showEvent(self, event: QShowEvent) -> None:
        """Load the report when the page is first shown: the web engine starts here."""
        super().showEvent(event)
        if self.html:
            self._load()

    def view(self) -> QWebEngineView:
        """The web view, created on first use."""
        if self._view is None:
            from PySide6.QtWebEngineWidgets import QWebEngineView

            self._view = QWebEngineView()
            self._view.setAccessibleName("Report preview")
            self.placeholder.hide()
            self.layout_.addWidget(self._view, 1)
        return self._view

    def restyle(self) -> None:
        """The app's colour scheme changed: draw the preview again in it."""
        self._loaded = ""
        if self.isVisible() and self.html:
            self._load()

    def _load(self) -> None:
        if self._loaded != self.html:
            self.view().setHtml(preview_html(self.html, is_dark()), QUrl("about:blank"))
            self._loaded = self.html
