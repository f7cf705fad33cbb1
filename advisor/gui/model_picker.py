""" "Your model…": the user's own model (a .py file and a function), shared by the Deployment
and Benchmarks pages for the rest of the app's session."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from advisor.session import parse_model_ref
from advisor.usermodel import ModelRef

DEFAULT_FUNCTION = "build"


class ModelChoice(QObject):
    """The chosen file and function, one per app session; every picker shows it."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.file = ""
        self.function = DEFAULT_FUNCTION

    def set(self, file: str, function: str) -> None:
        """Choose (an empty file: the seeded models again)."""
        if (file, function) != (self.file, self.function):
            self.file, self.function = file, function
            self.changed.emit()

    def text(self) -> str | None:
        """FILE.py:FUNCTION as chosen, for the session file; None for the seeded models."""
        return f"{self.file}:{self.function}" if self.file else None

    def set_text(self, text: str | None) -> None:
        """Choose from a session's FILE.py:FUNCTION (None: the seeded models)."""
        file, _, function = (text or "").rpartition(":")
        self.set(file, function or DEFAULT_FUNCTION)

    def ref(self) -> ModelRef | None:
        """The chosen model, checked (UserModelError when it cannot be), or None."""
        if not self.file:
            return None
        return parse_model_ref(f"{self.file}:{self.function.strip() or DEFAULT_FUNCTION}")


class ModelPicker(QWidget):
    """A file picker plus the function's name; Clear goes back to the seeded models."""

    def __init__(self, choice: ModelChoice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = choice
        self.pick_button = QPushButton("Your &model…")
        self.pick_button.setToolTip(
            "A .py file with a function of no arguments returning (model, example_inputs); "
            "it runs only in a subprocess of the chosen Python"
        )
        self.pick_button.clicked.connect(self._pick)
        self.file = QLineEdit()
        self.file.setPlaceholderText("the seeded models (no file chosen)")
        self.file.setAccessibleName("Your model's file")
        self.function = QLineEdit(choice.function)
        self.function.setAccessibleName("Your model's function")
        self.function.setMaximumWidth(160)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(lambda: self.choice.set("", self.choice.function))
        for edit in (self.file, self.function):
            edit.editingFinished.connect(self._edited)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pick_button)
        layout.addWidget(self.file, 1)
        layout.addWidget(QLabel("function:"))
        layout.addWidget(self.function)
        layout.addWidget(self.clear_button)
        choice.changed.connect(self._show)

    def _pick(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Your model", "", "Python files (*.py)")
        if path:
            self.choice.set(path, self.function.text())

    def _edited(self) -> None:
        self.choice.set(self.file.text().strip(), self.function.text().strip())

    def _show(self) -> None:
        self.file.setText(self.choice.file)
        self.function.setText(self.choice.function)
