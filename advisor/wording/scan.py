"""A scan's findings in words, shared by the terminal, the report and the app."""

from __future__ import annotations

from typing import Any

from advisor.record import CodeFinding, CodeReading
from advisor.scan.propose import Findings, sentence
from advisor.scoring.answers import Answers, toml_value
from advisor.scoring.knowledge import Knowledge

FROM_CODE = "your code"  # the origin of an answer a scan proposed


def _labels(known: Knowledge) -> dict[tuple[str, str], str]:
    return {(q.id, o.id): o.label for q in known.questions for o in q.options}


def value_text(question: str, value: Any, known: Knowledge) -> str:
    """An answer as the questionnaire words it: 'Yes, in PyTorch'."""
    labels = _labels(known)
    values = value if isinstance(value, list) else [value]
    return ", ".join(labels.get((question, v), str(v)) for v in values)


def answer_line(question: str, value: Any) -> str:
    """One answer as an answers file holds it: `targets = ["cloud"]`."""
    return f"{question} = {toml_value(value)}"


def also_seen(findings: Findings) -> list[str]:
    """Signs found that set no answer (JAX, torch.compile, ONNX export ...), for the record."""
    used = {line for p in findings.proposals for line in p.evidence}
    used |= {line for s in findings.suggestions for line in s.evidence}
    others = [sentence(s.count, s.says) for s in findings.result.signals]
    others = [line for line in others if line not in used]
    return (
        ["Also seen (no answer rests on these)", *(f"  - {line}" for line in others)]
        if others
        else []
    )


def what_was_read(findings: Findings) -> list[str]:
    """What the scan read and what it left out, one line each."""
    result = findings.result
    lines = [f"Read {result.files} files ({result.source_files} source files)."]
    if result.cancelled:
        lines.append("Cancelled: only the files read before Cancel count.")
    if result.skipped_folders.files:
        lines.append(
            sentence(result.skipped_folders, "skipped (vendored code, environments, build output)")
            .replace(" files ", " folders ", 1)
            .replace(" file ", " folder ", 1)
            + "; --include-vendored reads them"
        )
    if result.links_not_followed.files:
        lines.append(
            sentence(
                result.links_not_followed, "were links not followed (to folders or out of the root)"
            )
        )
    lines += [sentence(p.count, p.text) for p in result.problems]
    return lines


def code_reading(findings: Findings, answers: Answers, known: Knowledge) -> CodeReading:
    """What the report keeps of a scan: each proposal, and whether the answer stands."""
    rows = tuple(
        CodeFinding(
            p.question,
            value_text(p.question, p.value, known),
            p.evidence,
            answers.origins.get(p.question) == FROM_CODE,
        )
        for p in findings.proposals
    )
    suggestions = tuple(
        f"{value_text('requirements', s.requirement, known)}: " + "; ".join(s.evidence)
        for s in findings.suggestions
    )
    return CodeReading(findings.result.roots, rows, suggestions, tuple(what_was_read(findings)))
