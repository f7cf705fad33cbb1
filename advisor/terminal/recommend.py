"""The terminal view of a recommendation and of the questionnaire."""

from __future__ import annotations

from advisor.scoring.engine import NAMES, FlipPoint, Recommendation
from advisor.scoring.knowledge import Knowledge
from advisor.scoring.weights import Requirement
from advisor.wording.formatting import answers_basis, headline

_TITLE_WIDTH = 44


def _flip_line(flip: FlipPoint, loser: str) -> str:
    factor = flip.factor
    assert factor is not None
    return f"  - {flip.criterion.title}: weighting it {factor:.2f}x would make {NAMES[loser]} win"


def _must_have_line(requirement: Requirement, rec: Recommendation) -> str:
    rest = rec.without_must_haves
    then = f"the other answers favour {NAMES[rest]}" if rest else "the other answers decide"
    return (
        f"  - {requirement.label}, a must-have you ticked ({requirement.question} = "
        f"{requirement.option}), decides it; unticked, {then}"
    )


def format_recommendation(rec: Recommendation) -> str:
    """Winner, margin, confidence, decisive factors, flip points and the criterion table."""
    evidence = (
        "static criteria only (no benchmark results)"
        if rec.static_only
        else ("static criteria and this machine's benchmark results")
    )
    if any(row.criterion.kind == "static" and row.evidence for row in rec.criteria):
        evidence += ", with the deployment routes tried here"
    lines = [
        headline(rec),
        f"  answers: {answers_basis(rec)}; evidence: {evidence}",
        *(f"  ! {warning}" for warning in rec.warnings),
        "Why",
        *(f"  - {sentence}" for sentence in rec.decisive),
        *([f"  The other way, most: {rec.against}"] if rec.against else []),
        f"Confidence: {rec.confidence} - " + "; ".join(rec.confidence_reasons),
        *([f"  {rec.freshness.sentence()}"] if rec.freshness else []),
    ]
    if rec.notes:
        lines.append("Worth knowing")
        lines += [f"  - {note.text} ({note.url}, checked {note.as_of})" for note in rec.notes]
    if rec.flagged:
        lines.append("Tools in this advice that are not actively developed")
        lines += [f"  - {tool.name} ({tool.status}): {tool.note}" for tool in rec.flagged]
    lines.append("What would change the answer")
    lines += [_must_have_line(r, rec) for r in rec.deciding]
    flips = rec.flipping()
    lines += [_flip_line(flip, rec.loser) for flip in flips] or ["  - no single weight flips it"]
    steady = len(rec.flips) - len(flips)
    lines.append(f"  ({steady} other criteria do not flip it between 0x and 10x their weight)")
    lines.append(f"Criteria{'':<{_TITLE_WIDTH - 8}}weight  PyTorch  TensorFlow  pull")
    for row in rec.criteria:
        side = (
            NAMES["torch"]
            if row.contribution > 0
            else NAMES["tensorflow"]
            if row.contribution
            else "-"
        )
        lines.append(
            f"  {row.criterion.title[: _TITLE_WIDTH - 2]:<{_TITLE_WIDTH - 2}}"
            f"{row.weight:>6.0%}  {row.torch:>7.1f}  {row.tensorflow:>10.1f}  "
            f"{abs(row.contribution):.2f} {side}"
        )
    return "\n".join(lines) + "\n"


def format_questions(knowledge: Knowledge) -> str:
    """The questionnaire as text: id, kind, question, help and the choices."""
    lines = []
    for number, question in enumerate(knowledge.questions, 1):
        lines.append(f"{number:>2}. {question.text}  [{question.id}, {question.kind}]")
        lines.append(f"    {question.help}")
        if question.kind == "importance":
            lines.append(f"    level 0-5, default {question.default}")
        else:
            for option in question.options:
                marker = (
                    "*"
                    if option.id == question.default
                    or (isinstance(question.default, list) and option.id in question.default)
                    else " "
                )
                lines.append(f"    {marker} {option.id:<18}{option.label}")
    lines.append("(* marks the default)")
    return "\n".join(lines) + "\n"
