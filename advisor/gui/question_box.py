"""One question: options that wrap, or an importance slider; marked until the user answers.

A value the user has not given stays marked "(default)" (or "(from your code)") until
they change it or confirm it: a click on the chosen option, on the slider's handle, or
any key that moves it. Only then is it an answer (the record's origins say which were).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from advisor.gui.widgets import FOCUS_MARK, note
from advisor.scoring.answers import DEFAULT_ORIGIN, MAX_LEVEL
from advisor.scoring.knowledge import Question
from advisor.session import same_answer
from advisor.wording.scan import FROM_CODE

FROM_YOUR_CODE = f"from {FROM_CODE}"
# Alt+F and Alt+G open the File and Go menus; a question must not take them.
MENU_MNEMONICS = frozenset("fg")  # File, Go


class _OptionLabel(QLabel):
    """An option's text, wrapped (a button's own text cannot wrap); a click on it is a
    click on its button, as on the button's own text."""

    def __init__(self, text: str, button: QRadioButton | QCheckBox) -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._button = button

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A left click on the text chooses the option."""
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.pos()):
            self._button.click()


class QuestionBox(QGroupBox):
    """One question: radio buttons, check boxes or an importance slider."""

    changed = Signal()

    def __init__(self, question: Question, mnemonic_text: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.title_text = mnemonic_text or question.text  # with its '&' mnemonic
        self.setAccessibleName(question.text)
        self.setAccessibleDescription(question.help)
        # The question is a wrapping label, not the group box's own title, which cannot
        # wrap and would widen the form past a small window. Its mnemonic moves to the
        # answer's control (the label's buddy).
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        bold = self.title_label.font()
        bold.setBold(True)
        self.title_label.setFont(bold)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(note(question.help))
        self._buttons: dict[str, QRadioButton | QCheckBox] = {}
        self._slider: QSlider | None = None
        if question.kind == "importance":
            layout.addLayout(self._build_slider())
        else:
            layout.addLayout(self._build_choices())
        self.answered = False  # changed or confirmed by the user (or given by a file)
        self.default_origin = DEFAULT_ORIGIN  # or the probe's, once it chose the default
        self.default_note = ""  # why the default is what it is, when not the built-in one
        # The answer a scan of the user's code proposed, and its evidence (for the tooltip).
        self.code_value: Any = None
        self.code_evidence: tuple[str, ...] = ()
        self.changed.connect(self.mark_default)
        self._follow_choice()
        self.mark_default()

    def is_default(self) -> bool:
        """Whether the answer shown is a default nobody gave (neither answered nor scanned)."""
        return not self.answered and not self.from_code()

    def from_code(self) -> bool:
        """Whether the answer shown is the one a scan of the user's code proposed."""
        return bool(self.code_evidence) and same_answer(self.value(), self.code_value)

    def is_own(self) -> bool:
        """Whether the answer shown is the user's own (answered, and not the scan's)."""
        return self.answered and not self.from_code()

    def origin(self) -> str | None:
        """Where the value shown came from when the user did not give it; None when they did."""
        if self.from_code():
            return FROM_CODE
        return None if self.answered else self.default_origin

    def mark_default(self) -> None:
        """'(from your code)' with the evidence as a tooltip, or '(default)', or nothing."""
        if self.from_code():
            mark, tip = f"  ({FROM_YOUR_CODE})", "\n".join(self.code_evidence)
        elif not self.answered:
            mark = f"  (default{self.default_note})"
            tip = "Not answered yet: choose an option, or click the chosen one to keep it."
        else:
            mark, tip = "", ""
        self.title_label.setText(self.title_text + mark)
        self.title_label.setToolTip(tip)
        self.setAccessibleDescription(f"{self.question.help} {tip}".strip())

    def _answer(self) -> None:
        """The user chose or confirmed the value shown: it is their answer now."""
        if not self.answered:
            self.answered = True
            self.changed.emit()

    def _build_choices(self) -> QGridLayout:
        # Radio buttons share one Tab stop (arrow keys choose); check boxes are each their
        # own, so they stay out of a button group, which would make them one stop too.
        group = QButtonGroup(self) if self.question.kind == "single" else None
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, option in enumerate(self.question.options):
            button: QRadioButton | QCheckBox = (
                QRadioButton() if self.question.kind == "single" else QCheckBox()
            )
            button.setAccessibleName(f"{self.question.text} {option.label}")
            if group is not None:
                group.addButton(button)
            button.toggled.connect(self.changed)
            button.toggled.connect(self._follow_choice)
            button.clicked.connect(self._answer)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(_OptionLabel(option.label, button), row, 1)
            self._buttons[option.id] = button
        return grid

    def _build_slider(self) -> QHBoxLayout:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, MAX_LEVEL)
        slider.setPageStep(1)
        slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        slider.setAccessibleName(self.question.text)
        slider.setStyleSheet(FOCUS_MARK)
        shown = QLabel()
        shown.setMinimumWidth(shown.fontMetrics().horizontalAdvance(_level_text(MAX_LEVEL)))
        slider.valueChanged.connect(lambda value: shown.setText(_level_text(value)))
        slider.valueChanged.connect(self.changed)
        # A key, a click on the groove or a press on the handle: the user's level now.
        slider.actionTriggered.connect(self._answer)
        slider.sliderPressed.connect(self._answer)
        self._slider = slider
        row = QHBoxLayout()
        row.addWidget(QLabel("not at all"))
        row.addWidget(slider, 1)
        row.addWidget(QLabel("essential"))
        row.addWidget(shown)
        return row

    def _follow_choice(self) -> None:
        """Tab and the question's Alt+letter land on the chosen radio button, not the first."""
        chosen = self.focus_target()
        strong, click = Qt.FocusPolicy.StrongFocus, Qt.FocusPolicy.ClickFocus
        for button in self._buttons.values():
            if isinstance(button, QRadioButton):
                button.setFocusPolicy(strong if button is chosen else click)
        self.title_label.setBuddy(chosen)

    def focus_target(self) -> QWidget:
        """The control that takes the focus: the chosen radio button, else the first control."""
        if self._slider is not None:
            return self._slider
        checked = [b for b in self._buttons.values() if b.isChecked()]
        if self.question.kind == "single" and checked:
            return checked[0]
        return next(iter(self._buttons.values()))

    def controls(self) -> list[QWidget]:
        """Every widget that answers it, top to bottom."""
        return [self._slider] if self._slider is not None else list(self._buttons.values())

    def control(self, option_id: str | None = None) -> QWidget:
        """The widget that answers this question: an option's button, or the slider."""
        if option_id is None:
            assert self._slider is not None, f"{self.question.id} has options, not a level"
            return self._slider
        return self._buttons[option_id]

    def value(self) -> Any:
        """The answer in the answers-file form: option id, list of ids, or a level."""
        if self._slider is not None:
            return self._slider.value()
        chosen = [key for key, button in self._buttons.items() if button.isChecked()]
        if self.question.kind == "single":
            return chosen[0] if chosen else self.question.default
        return chosen

    def set_value(self, value: Any) -> None:
        """Show an answer without announcing each widget's change."""
        self.blockSignals(True)
        if self._slider is not None:
            self._slider.setValue(int(value))
            self._slider.valueChanged.emit(int(value))  # refresh the level label
        else:
            chosen = value if isinstance(value, list) else [value]
            for key, button in self._buttons.items():
                button.setChecked(key in chosen)
        self.blockSignals(False)
        self.mark_default()

    def reset(self) -> None:
        """Back to the default, unanswered, with nothing from a scan."""
        self.answered = False
        self.code_value, self.code_evidence = None, ()
        self.set_value(self.question.default)


def with_mnemonics(texts: list[str], taken: frozenset[str] = frozenset()) -> list[str]:
    """Each text with an '&' before the first letter no earlier text took (Alt+letter).

    A text whose letters are all taken stays without one.
    """
    used = set(taken)
    marked = []
    for text in texts:
        index = next(
            (
                i
                for i, c in enumerate(text)
                if c.isascii() and c.isalpha() and c.lower() not in used
            ),
            None,
        )
        if index is None:
            marked.append(text.replace("&", "&&"))
            continue
        used.add(text[index].lower())
        escaped = text.replace("&", "&&")
        shift = text[:index].count("&")  # each '&' before it became two
        marked.append(escaped[: index + shift] + "&" + escaped[index + shift :])
    return marked


def _level_text(value: int) -> str:
    return f"{value} of {MAX_LEVEL}"
