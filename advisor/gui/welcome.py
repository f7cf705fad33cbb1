"""The first-run welcome: what the app does, what runs when, and that nothing leaves the machine."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from advisor.base.progress import Progress
from advisor.gui.widgets import heading
from advisor.record import Record
from advisor.wording.durations import expected_bench, expected_probe
from advisor.wording.formatting import duration_words

WELCOME = (
    "Framework Advisor helps you choose between PyTorch and TensorFlow for your project. "
    "Answer the questions below about it; the recommendation at the top of the window "
    "follows every answer, and the Report page explains it.",
    "",  # what runs when: see machine_text
    "Answers marked (default) are ours until you change them, or click the chosen option "
    "to keep it. Nothing leaves this machine: "
    "no uploads, no telemetry; your answers and results are saved on this computer only.",
)
WHAT_IS_PROBED = (
    "processor, memory, NVIDIA GPUs, and each framework in the chosen Python environment"
)


def machine_text(record: Record | None, probing: bool) -> str:
    """The probe as it stands (under way, ended, or what it found) and how long the quick
    benchmark should take here."""
    if record is not None:
        found = [p.display_name for p in record.frameworks if p.status == "ok"]
        frameworks = " and ".join(found) if found else "no framework"
        probe = (
            f"This machine was probed: {record.machine.cpu.model or 'an unnamed processor'}, "
            f"{frameworks} in the chosen Python environment (the Machine page has the rest)."
        )
    elif probing:
        expected = expected_probe()
        probe = (
            f"The machine is being probed in the background now "
            f"({duration_words(expected.low_s, expected.high_s)}: {WHAT_IS_PROBED})."
        )
    else:
        probe = "The probe of this machine has ended: the Machine page says what it found."
    quick = expected_bench("quick", record)
    return (
        f"{probe} On the Benchmarks page you can time both frameworks on this machine, "
        f"{duration_words(quick.low_s, quick.high_s)} on the quick preset; you can keep "
        "answering while it runs, and the progress is at the bottom of the window."
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
        self.labels = []
        for text in WELCOME:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
            self.labels.append(label)
        self.machine = self.labels[1]
        self.show_machine(None)
        # No mnemonic: the questions and the menus have the letters.
        self.close_button = QPushButton("Got it")
        self.close_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch()
        layout.addLayout(buttons)

    def show_machine(self, record: Record | None, probing: bool = True) -> None:
        """Say what the probe found (a record), or that it runs, or that it ended."""
        self.machine.setText(machine_text(record, probing))
        self._probed = record is not None

    def follow_probe(self, progress: Progress | None) -> None:
        """The probe's progress: once it ends (None), the welcome stops saying it runs."""
        if progress is None and not self._probed:
            self.show_machine(None, probing=False)

    def dismiss(self) -> None:
        """Hide the panel."""
        self.hide()
        self.dismissed.emit()
