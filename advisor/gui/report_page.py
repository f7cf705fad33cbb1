"""Report: the exact HTML that export writes, previewed in Qt WebEngine, and the export buttons.

The preview is one Tab stop: Tab and Shift+Tab leave it in one press (inside, each link
would take one), and the arrow, page and space keys scroll it. A link from "What would
change it" to a question opens that question on the Project needs page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from advisor.gui.theme import is_dark, preview_html
from advisor.gui.widgets import FailurePanel, heading, note, tab_stops

if TYPE_CHECKING:
    from PySide6.QtWebEngineWidgets import QWebEngineView

EXPORTS = (("html", "Export &HTML…"), ("pdf", "Export &PDF…"), ("json", "Export &JSON…"))
QUESTION_ANCHOR = "answer-"  # the report's id of each answer: answer-<question id>
NO_TAB_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


class _TabLeaves(QObject):
    """On the preview's focus proxy: Tab and Shift+Tab go on to the next widget, and
    arrive without moving the report."""

    def __init__(self, view: QWebEngineView) -> None:
        super().__init__(view)
        self._view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QFocusEvent) and event.type() == QEvent.Type.FocusIn:
            return self._arrive(watched, event)
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            return False
        if event.modifiers() & NO_TAB_MODIFIERS:
            return False
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self._view.focusNextPrevChild(event.key() == Qt.Key.Key_Tab and not shift)
        return True

    def _arrive(self, watched: QObject, event: QFocusEvent) -> bool:
        """Tabbed into, the web engine would focus the first (or last) link and scroll
        there: the preview takes the focus where the reader left it instead."""
        if event.reason() not in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            return False
        plain = QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.OtherFocusReason)
        QCoreApplication.sendEvent(watched, plain)
        return True


class ReportPage(QWidget):
    """A browser view of the report; the web engine starts on first use, not at launch."""

    export_requested = Signal(str)  # format
    question_requested = Signal(str)  # a question's id: a link to it was followed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.html = ""
        self._loaded = ""
        self._view: QWebEngineView | None = None
        self._tab_held: QObject | None = None  # the focus proxy _TabLeaves watches
        self._identity_problem: str | None = None  # why the identity must stay, if it must
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
        self.leave_out_identity.toggled.connect(self._follow_identity)
        buttons.addWidget(self.leave_out_identity)
        buttons.addStretch()
        self.identity_note = note("")
        self.identity_note.setAccessibleName("Why the identity stays")
        self.identity_note.hide()
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(heading("Report"))
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.identity_note)
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

    def show_html(self, html: str, identity_problem: str | None = None) -> None:
        """Show this report (the same string the HTML export writes); `identity_problem`:
        why this report cannot leave out host, user and home (None: it can)."""
        self.html = html
        self._identity_problem = identity_problem
        self._follow_identity()
        if self.isVisible():
            self._load()

    def export_problem(self) -> str | None:
        """Why the export cannot be written as the options stand (None: it can)."""
        return self._identity_problem if self.leave_out_identity.isChecked() else None

    def _follow_identity(self) -> None:
        """Said as soon as the box is ticked, not after the file dialog."""
        problem = self.export_problem()
        self.identity_note.setText(f"{problem[:1].upper()}{problem[1:]}." if problem else "")
        self.identity_note.setVisible(problem is not None)
        for button in self.export_buttons.values():
            button.setEnabled(bool(self.html) and problem is None)

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
            self._view.urlChanged.connect(self._followed)
            self.placeholder.hide()
            self.layout_.addWidget(self._view, 1)
        return self._view

    def _hold_tab(self, view: QWebEngineView) -> None:
        """One Tab stop, in reading order: after the buttons and the panel above it (its
        focus proxy exists once a page is set, and joins the focus chain last)."""
        proxy = view.focusProxy()
        if proxy is None or proxy is self._tab_held:
            return
        proxy.installEventFilter(_TabLeaves(view))
        self._tab_held = proxy
        QWidget.setTabOrder(tab_stops(self.panel)[-1], proxy)

    def _followed(self, url: QUrl) -> None:
        """A link to a question: open it in the app, and put the preview back where it was."""
        if not url.fragment().startswith(QUESTION_ANCHOR) or self._view is None:
            return
        self._view.page().runJavaScript("history.back()")
        self.question_requested.emit(url.fragment().removeprefix(QUESTION_ANCHOR))

    def restyle(self) -> None:
        """The app's colour scheme changed: draw the preview again in it."""
        self._loaded = ""
        if self.isVisible() and self.html:
            self._load()

    def _load(self) -> None:
        if self._loaded != self.html:
            view = self.view()
            view.setHtml(preview_html(self.html, is_dark()), QUrl("about:blank"))
            self._hold_tab(view)
            self._loaded = self.html
