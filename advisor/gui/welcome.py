"""The first-run welcome: what the app does, what runs when, and that nothing leaves the machine."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from advisor.gui.widgets import heading

WELCOME = (
    "Framework Advisor helps you choose between PyTorch and TensorFlow for your project. "
    "Answer the questions below about it; the recommendation at the top of the window "
    "follows every answer, and the Report page explains it.",
    "The machine is being probed in the background now (a few seconds: processor, memory, "
    "NVIDIA GPUs, and each framework in the chosen Python environment). On the Benchmarks "
    "page you can time both frameworks on this machine, about a minute on the quick preset; "
    "you can keep answering while it runs, and the progress is at the bottom of the window.",
    "Answers marked (default) are ours until you change them, or click the chosen option "
    "to keep it. Nothing leaves this machine: "
    "no uploads, no telemetry; your answers and results are saved on this computer only.",
)


class WelcomePanel(QFrame):
    """A dismissable panel shown on a fresh app; Go > Welcome shows it again."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePanel")
        self.setAccessibleName("Welcome")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#welcomePanel { border: 1px solid palette(mid);"
            " border-left: 4px solid palette(highlight); }"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Welcome"))
        for text in WELCOME:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
        # No mnemonic: the questions and the menus have the letters.
        self.close_button = QPushButton("Got it")
        self.close_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch()
        layout.addLayout(buttons)

    def dismiss(self) -> None:
        """Hide the panel."""
        self.hide()
        self.dismissed.emit()
