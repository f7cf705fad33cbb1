"""Project needs: the questionnaire as native widgets, with the criterion weights updating live."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QScrollArea,
    QSlider,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from advisor.gui.code_scan import CodeScanBar
from advisor.gui.theme import tone_colour
from advisor.gui.widgets import FOCUS_MARK, heading, note, read_only_table
from advisor.record import CodeReading
from advisor.scan.propose import Findings
from advisor.scan.summary import FROM_CODE
from advisor.scoring.answers import MAX_LEVEL, Answers
from advisor.scoring.engine import Recommendation
from advisor.scoring.knowledge import Knowledge, Question
from advisor.service import scan_reading
from advisor.service import weights as criterion_weights

ANSWERED_HERE = "answered in the app"
FROM_YOUR_CODE = f"from {FROM_CODE}"


class _QuestionBox(QGroupBox):
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
        # first control (the label's buddy).
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
            self._build_choices(layout)
        first = self._slider if self._slider is not None else next(iter(self._buttons.values()))
        self.title_label.setBuddy(first)
        self.changed.connect(self.mark_default)
        self.default_note = ""  # why the default is what it is, when not the built-in one
        # The answer a scan of the user's code proposed, and its evidence (for the tooltip).
        self.code_value: Any = None
        self.code_evidence: tuple[str, ...] = ()
        self.mark_default()

    def is_default(self) -> bool:
        """Whether the answer shown is the question's default (order aside)."""
        return _same(self.value(), self.question.default)

    def from_code(self) -> bool:
        """Whether the answer shown is the one a scan of the user's code proposed."""
        return bool(self.code_evidence) and _same(self.value(), self.code_value)

    def is_own(self) -> bool:
        """Whether the answer shown is the user's own choice (neither default nor scanned)."""
        return not self.is_default() and not self.from_code()

    def mark_default(self) -> None:
        """'(from your code)' with the evidence as a tooltip, or '(default)', or nothing."""
        if self.from_code():
            mark, tip = f"  ({FROM_YOUR_CODE})", "\n".join(self.code_evidence)
        else:
            mark, tip = (f"  (default{self.default_note})" if self.is_default() else ""), ""
        self.title_label.setText(self.title_text + mark)
        self.title_label.setToolTip(tip)
        self.setAccessibleDescription(f"{self.question.help} {tip}".strip())

    def _build_choices(self, layout: QVBoxLayout) -> None:
        # Radio buttons share one Tab stop (arrow keys choose); check boxes are each their
        # own, so they stay out of a button group, which would make them one stop too.
        group = QButtonGroup(self) if self.question.kind == "single" else None
        for option in self.question.options:
            button: QRadioButton | QCheckBox = (
                QRadioButton(option.label)
                if self.question.kind == "single"
                else QCheckBox(option.label)
            )
            button.setAccessibleName(f"{self.question.text} {option.label}")
            if group is not None:
                group.addButton(button)
            button.toggled.connect(self.changed)
            layout.addWidget(button)
            self._buttons[option.id] = button

    def _build_slider(self) -> QHBoxLayout:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, MAX_LEVEL)
        slider.setPageStep(1)
        slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        slider.setAccessibleName(self.question.text)
        slider.setStyleSheet(FOCUS_MARK)
        shown = QLabel()
        shown.setMinimumWidth(110)
        slider.valueChanged.connect(lambda value: shown.setText(_level_text(value)))
        slider.valueChanged.connect(self.changed)
        self._slider = slider
        row = QHBoxLayout()
        row.addWidget(QLabel("not at all"))
        row.addWidget(slider, 1)
        row.addWidget(QLabel("essential"))
        row.addWidget(shown)
        return row

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


# Alt+F and Alt+G open the File and Go menus; a question must not take them.
MENU_MNEMONICS = frozenset("fg")  # File, Go


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


def _same(value: Any, other: Any) -> bool:
    """Two answers are the same, the order of a multi-choice answer aside."""
    if isinstance(value, list) and isinstance(other, list):
        return sorted(value) == sorted(other)
    return bool(value == other)


def _level_text(value: int) -> str:
    return f"{value} of {MAX_LEVEL}"


class QuestionsPage(QWidget):
    """The questionnaire and the weights it gives each criterion."""

    answers_changed = Signal(object)  # Answers

    def __init__(self, knowledge: Knowledge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.knowledge = knowledge
        self.device: str | None = None  # the measured device, once a run is known
        titles = with_mnemonics([q.text for q in knowledge.questions], taken=MENU_MNEMONICS)
        self._boxes = [_QuestionBox(q, t) for q, t in zip(knowledge.questions, titles, strict=True)]
        form = QWidget()
        self._form_layout = QVBoxLayout(form)
        for box in self._boxes:
            box.changed.connect(self._announce)
            self._form_layout.addWidget(box)
        self._form_layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidget(form)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName("Questions")
        self.weights = _weights_table()
        side = QVBoxLayout()
        side.addWidget(heading("Criterion weights"))
        side.addWidget(
            note(
                "Each criterion's share of the decision, from your answers, and which "
                "framework it favours: a bar to the right for PyTorch, to the left for "
                "TensorFlow, as long as the score gap."
            )
        )
        side.addWidget(self.weights, 1)
        columns = QHBoxLayout()
        columns.addWidget(scroll, 3)
        columns.addLayout(side, 2)
        self.scan_bar = CodeScanBar(self)
        self.scan_bar.scanned.connect(self.apply_scan)
        self.scan_bar.use_code.connect(self._use_code_answers)
        self._findings: Findings | None = None
        self._code: CodeReading | None = None  # the scan as a restored session kept it
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Project needs"))
        layout.addWidget(self.scan_bar)
        layout.addLayout(columns, 1)

    def put_above_questions(self, widget: QWidget) -> None:
        """Show `widget` (the welcome) at the top of the questions; it scrolls with them."""
        self._form_layout.insertWidget(0, widget)

    def control(self, question_id: str, option_id: str | None = None) -> QWidget:
        """The widget answering one question (an option's button, or the importance slider)."""
        box = next(box for box in self._boxes if box.question.id == question_id)
        return box.control(option_id)

    def defaults(self) -> list[str]:
        """The ids of the questions whose answer is still the default."""
        return [box.question.id for box in self._boxes if box.is_default()]

    def use_machine_default(self, question_id: str, value: Any, why: str) -> None:
        """A better default from the probe (e.g. no NVIDIA GPU here), marked with why.

        For a first run only: the caller makes sure the user has not answered yet.
        """
        box = next(box for box in self._boxes if box.question.id == question_id)
        box.question = replace(box.question, default=value)
        box.default_note = f": {why}"
        box.set_value(value)
        self._announce()

    def weight_shares(self) -> dict[str, str]:
        """Criterion title -> weight as the table shows it."""
        shares = {}
        for row in range(self.weights.rowCount()):
            title, share = self.weights.item(row, 0), self.weights.item(row, 1)
            if title is not None and share is not None:
                shares[title.text()] = share.text()
        return shares

    def answers(self) -> Answers:
        """The answers as the widgets show them now, those still from the code marked so."""
        values = {box.question.id: box.value() for box in self._boxes}
        origins = {box.question.id: FROM_CODE for box in self._boxes if box.from_code()}
        return Answers(values, ANSWERED_HERE, origins)

    def set_answers(self, answers: Answers, code: CodeReading | None = None) -> None:
        """Show these answers (a restored or opened session), with what its scan proposed."""
        self._findings, self._code = None, code
        evidence = {f.question: f.evidence for f in code.findings} if code else {}
        for box in self._boxes:
            value = answers.values[box.question.id]
            from_code = answers.origins.get(box.question.id) == FROM_CODE
            box.code_value = value if from_code else None
            box.code_evidence = evidence.get(box.question.id, ()) if from_code else ()
            box.set_value(value)
        self._show_weights(answers)

    def box(self, question_id: str) -> _QuestionBox:
        """The widget of one question."""
        return next(box for box in self._boxes if box.question.id == question_id)

    def apply_scan(self, findings: Findings) -> None:
        """Fill in what a scan proposed, marked; the user's own answers stay (the bar asks)."""
        kept = []
        for proposal in findings.proposals:
            box = self.box(proposal.question)
            if box.is_own() and not _same(box.value(), proposal.value):
                kept.append(proposal.question)
                continue
            box.code_value, box.code_evidence = proposal.value, proposal.evidence
            box.set_value(proposal.value)
        self._findings, self._code = findings, None
        self.scan_bar.show_outcome(findings, [self.box(q).question.text for q in kept])
        self._announce()

    def _use_code_answers(self) -> None:
        """The user agreed: the code's answers replace their own where they differ."""
        if self._findings is None:
            return
        for proposal in self._findings.proposals:
            box = self.box(proposal.question)
            box.code_value, box.code_evidence = proposal.value, proposal.evidence
            box.set_value(proposal.value)
        self._announce()

    def code_reading(self) -> CodeReading | None:
        """What the latest scan read, as a report or session keeps it (None without one)."""
        answers = self.answers()
        if self._findings is not None:
            return scan_reading(self._findings, answers, self.knowledge)
        if self._code is None:
            return None
        rows = tuple(
            replace(f, kept=answers.origins.get(f.question) == FROM_CODE)
            for f in self._code.findings
        )
        return replace(self._code, findings=rows)

    def _announce(self) -> None:
        answers = self.answers()
        self._show_weights(answers)
        self.answers_changed.emit(answers)

    def set_device(self, device: str | None) -> None:
        """The device the latest run measured: measured weights follow its relevance."""
        self.device = device
        self._show_weights(self.answers())

    def show_direction(self, rec: Recommendation) -> None:
        """Which framework each weighed criterion favours, and by how much (0-10 points)."""
        gaps = {row.criterion.title: row.torch - row.tensorflow for row in rec.criteria}
        for index in range(self.weights.rowCount()):
            title = self.weights.item(index, 0)
            gap = gaps.get(title.text()) if title is not None else None
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, gap)
            item.setToolTip(_favours(gap))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, _favours(gap))
            self.weights.setItem(index, 2, item)

    def favours(self) -> dict[str, str]:
        """Criterion title -> which framework it favours, as the table says it."""
        found = {}
        for index in range(self.weights.rowCount()):
            title, cell = self.weights.item(index, 0), self.weights.item(index, 2)
            if title is not None and cell is not None:
                found[title.text()] = cell.toolTip()
        return found

    def _show_weights(self, answers: Answers) -> None:
        weights = criterion_weights(self.knowledge, answers, self.device)
        total = sum(weights.values()) or 1.0
        ranked = sorted(self.knowledge.criteria, key=lambda c: -weights[c.id])
        self.weights.setRowCount(len(ranked))
        for row, criterion in enumerate(ranked):
            share = QTableWidgetItem(f"{weights[criterion.id] / total:.1%}")
            share.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.weights.setItem(row, 0, QTableWidgetItem(criterion.title))
            self.weights.setItem(row, 1, share)
            self.weights.setItem(row, 2, QTableWidgetItem())  # until re-scored (show_direction)


def _favours(gap: float | None) -> str:
    if gap is None:
        return "not weighed"
    if abs(gap) < 0.05:
        return "favours neither"
    name = "PyTorch" if gap > 0 else "TensorFlow"
    return f"favours {name} by {abs(gap):.1f} points"


class _DirectionBar(QStyledItemDelegate):
    """A bar from the cell's centre: right for PyTorch, left for TensorFlow, by the gap."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        super().paint(painter, option, index)
        gap = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(gap, float) or abs(gap) < 0.05:
            return
        area = option.rect.adjusted(6, 0, -6, 0)
        middle, half = area.center().x(), area.width() / 2
        length = max(2, round(half * min(abs(gap), 10.0) / 10.0))
        height = max(4, area.height() // 3)
        top = area.center().y() - height // 2
        left = middle if gap > 0 else middle - length
        painter.save()
        painter.fillRect(
            left, top, length, height, tone_colour("torch" if gap > 0 else "tensorflow")
        )
        painter.fillRect(middle, area.top() + 2, 1, area.height() - 4, option.palette.mid())
        painter.restore()


def _weights_table() -> QTableWidget:
    table = read_only_table(["Criterion", "Weight", "Favours"], "Criterion weights")
    table.setItemDelegateForColumn(2, _DirectionBar(table))
    table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
    table.setColumnWidth(2, 120)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    return table
