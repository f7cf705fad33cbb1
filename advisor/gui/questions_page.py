"""Project needs: the questionnaire as native widgets, with the criterion weights updating live."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from advisor.gui.code_scan import CodeScanBar
from advisor.gui.question_box import MENU_MNEMONICS, QuestionBox, with_mnemonics
from advisor.gui.weights_table import LEGEND, column_texts, show_pulls, show_weights, weights_table
from advisor.gui.widgets import heading, note, tab_stops
from advisor.record import CodeReading
from advisor.scan.propose import Findings
from advisor.scoring.answers import (
    DEFAULT_ORIGIN,
    DEFAULTS_SOURCE,
    PROBE_ORIGIN,
    Answers,
)
from advisor.scoring.engine import Recommendation
from advisor.session import Session, same_answer
from advisor.wording.scan import FROM_CODE

ANSWERED_HERE = "answered in the app"
RESET_QUESTION = (
    "Set every answer back to its default? The answers you gave and those read from "
    "your code are cleared; measurements are kept."
)


class QuestionsPage(QWidget):
    """The questionnaire and the weights it gives each criterion."""

    answers_changed = Signal(object)  # Answers

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session  # the window's: it weighs the answers and reads the scan
        self.knowledge = knowledge = session.knowledge
        self.device: str | None = None  # the measured device, once a run is known
        titles = with_mnemonics([q.text for q in knowledge.questions], taken=MENU_MNEMONICS)
        self._boxes = [QuestionBox(q, t) for q, t in zip(knowledge.questions, titles, strict=True)]
        form = QWidget()
        self._form_layout = QVBoxLayout(form)
        for box in self._boxes:
            box.changed.connect(self._announce)
            self._form_layout.addWidget(box)
        self._form_layout.addStretch()
        self._scroll = QScrollArea()
        self._scroll.setWidget(form)
        self._scroll.setWidgetResizable(True)
        self._scroll.setAccessibleName("Questions")
        self.weights = weights_table()
        side = QVBoxLayout()
        side.addWidget(heading("Criterion weights"))
        side.addWidget(note(LEGEND))
        side.addWidget(self.weights, 1)
        columns = QHBoxLayout()
        columns.addWidget(self._scroll, 3)
        columns.addLayout(side, 2)
        self.scan_bar = CodeScanBar(self)
        self.scan_bar.scanned.connect(self.apply_scan)
        self.scan_bar.use_code.connect(self._use_code_answers)
        self._findings: Findings | None = None
        self._code: CodeReading | None = None  # the scan as a restored session kept it
        self.reset_button = QPushButton("Reset answers…")
        self.reset_button.setToolTip("Set every answer back to its default (asks first)")
        self.reset_button.clicked.connect(self.ask_reset)
        title = QHBoxLayout()
        title.addWidget(heading("Project needs"), 1)
        title.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.addLayout(title)
        layout.addWidget(self.scan_bar)
        layout.addLayout(columns, 1)
        self._above: list[QWidget] = []  # shown above the questions (the welcome)
        self._tab_order()

    def put_above_questions(self, widget: QWidget) -> None:
        """Show `widget` (the welcome) at the top of the questions; it scrolls with them."""
        self._form_layout.insertWidget(0, widget)
        self._above.insert(0, widget)
        self._tab_order()

    def _tab_order(self) -> None:
        """Tab goes down the page as it reads: the buttons at the top, the welcome, each
        question, the weights (widgets join the focus chain as they are built)."""
        chain = [
            self.reset_button,
            *tab_stops(self.scan_bar),
            *(stop for widget in self._above for stop in tab_stops(widget)),
            *(control for box in self._boxes for control in box.controls()),
            self.weights,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def control(self, question_id: str, option_id: str | None = None) -> QWidget:
        """The widget answering one question (an option's button, or the importance slider)."""
        return self.box(question_id).control(option_id)

    def defaults(self) -> list[str]:
        """The ids of the questions nobody has answered yet (at a default)."""
        return [box.question.id for box in self._boxes if box.is_default()]

    def use_machine_default(self, question_id: str, value: Any, why: str) -> None:
        """A better default from the probe (e.g. no NVIDIA GPU here), marked with why.

        For a first run only: the caller makes sure the user has not answered yet. It
        stays a default: the report says it came from the probe, not from the user.
        """
        box = self.box(question_id)
        box.question = replace(box.question, default=value)
        box.default_origin, box.default_note = PROBE_ORIGIN, f": {why}"
        box.set_value(value)
        self._announce()

    def weight_shares(self) -> dict[str, str]:
        """Criterion title -> weight as the table shows it."""
        return column_texts(self.weights, 1)

    def answers(self) -> Answers:
        """The answers as the widgets show them, each not given here with its origin."""
        values = {box.question.id: box.value() for box in self._boxes}
        origins = {box.question.id: origin for box in self._boxes if (origin := box.origin())}
        given = any(box.answered for box in self._boxes)
        return Answers(values, ANSWERED_HERE if given else DEFAULTS_SOURCE, origins)

    def set_answers(self, answers: Answers, code: CodeReading | None = None) -> None:
        """Show these answers (a restored or opened session), with what its scan proposed."""
        self._findings, self._code = None, code
        evidence = {f.question: f.evidence for f in code.findings} if code else {}
        built_in = {q.id: q for q in self.knowledge.questions}
        for box in self._boxes:
            value, origin = answers.values[box.question.id], answers.origins.get(box.question.id)
            from_code = origin == FROM_CODE
            box.code_value = value if from_code else None
            box.code_evidence = evidence.get(box.question.id, ()) if from_code else ()
            box.answered = origin is None
            box.question = built_in[box.question.id]
            box.default_origin, box.default_note = DEFAULT_ORIGIN, ""
            if origin == PROBE_ORIGIN:  # the default the probe chose, kept as one
                box.question = replace(box.question, default=value)
                box.default_origin, box.default_note = PROBE_ORIGIN, f": from {PROBE_ORIGIN}"
            box.set_value(value)
        self._show_weights(answers)

    def box(self, question_id: str) -> QuestionBox:
        """The widget of one question."""
        return next(box for box in self._boxes if box.question.id == question_id)

    def show_question(self, question_id: str) -> None:
        """Scroll to one question and put the keyboard on its answer."""
        box = self.box(question_id)
        self._scroll.ensureWidgetVisible(box)
        box.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def ask_reset(self) -> None:
        """Ask, then set every answer back to its default."""
        asked = QMessageBox.question(
            self,
            "Reset answers",
            RESET_QUESTION,
            QMessageBox.StandardButton.Reset | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if asked == QMessageBox.StandardButton.Reset:
            self.reset_answers()

    def reset_answers(self) -> None:
        """Every answer back to its default, none given, nothing from a scan."""
        for box in self._boxes:
            box.reset()
        self._findings, self._code = None, None
        self.scan_bar.clear()
        self._announce()

    def apply_scan(self, findings: Findings) -> None:
        """Fill in what a scan proposed, marked; the user's own answers stay (the bar asks)."""
        kept = []
        for proposal in findings.proposals:
            box = self.box(proposal.question)
            if box.is_own() and not same_answer(box.value(), proposal.value):
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
            return self.session.code_reading(self._findings, answers)
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
        """Which framework each weighed criterion favours, and how hard it pulls."""
        show_pulls(self.weights, rec)

    def favours(self) -> dict[str, str]:
        """Criterion title -> which framework it favours and its pull, as the table says it."""
        return column_texts(self.weights, 2, tooltip=True)

    def _show_weights(self, answers: Answers) -> None:
        weights = self.session.weights(answers, self.device)
        show_weights(self.weights, self.knowledge, weights)
