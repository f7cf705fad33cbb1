"""The terminal, JSON and answers-file views of a scan of the user's code."""

from __future__ import annotations

from advisor.record import CodeReading
from advisor.scan.propose import Findings, sentence
from advisor.scan.summary import value_text, what_was_read
from advisor.scan.walk import VENDORED
from advisor.scoring.answers import Answers, toml_value
from advisor.scoring.knowledge import Knowledge
from advisor.session import dumps


def format_scan(findings: Findings, known: Knowledge) -> str:
    """Proposed answers with their evidence, suggestions, then what was read."""
    lines = [f"Scanned {', '.join(findings.result.roots)}"]
    if not findings.proposals:
        lines.append("No framework code or deployment signs found: nothing to propose.")
    else:
        lines.append("Proposed answers (your own answers win over these)")
    texts = {q.id: q.text for q in known.questions}
    for proposal in findings.proposals:
        shown = value_text(proposal.question, proposal.value, known)
        lines.append(f"  {proposal.question} = {toml_value(proposal.value)}  ({shown})")
        lines.append(f"    {texts[proposal.question]}")
        lines += [f"    - {line}" for line in proposal.evidence]
    if findings.suggestions:
        lines.append("Must-haves to consider (never ticked for you)")
        for suggestion in findings.suggestions:
            label = value_text("requirements", suggestion.requirement, known)
            lines.append(f"  {suggestion.requirement} ({label}): " + "; ".join(suggestion.evidence))
    lines += _also_seen(findings)
    lines += what_was_read(findings)
    return "\n".join(lines) + "\n"


def _also_seen(findings: Findings) -> list[str]:
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


def scan_json(findings: Findings) -> str:
    """One JSON document: answers, evidence, suggested must-haves and what was read."""
    document = {
        "roots": list(findings.result.roots),
        "answers": findings.answers(),
        "evidence": [
            {"question": p.question, "value": p.value, "evidence": list(p.evidence)}
            for p in findings.proposals
        ],
        "suggested_must_haves": [
            {"requirement": s.requirement, "evidence": list(s.evidence)}
            for s in findings.suggestions
        ],
        "read": findings.result,
        "skipped_by_default": sorted(VENDORED),
    }
    return dumps(document) + "\n"


def scan_answers_toml(findings: Findings) -> str:
    """An answers file (recommend/report --answers) holding the proposals and their evidence."""
    lines = [
        "# Answers proposed by framework-advisor scan; edit any of them, delete a line to use",
        "# its default. Must-haves are never set by a scan: add `requirements` yourself.",
        "",
    ]
    for proposal in findings.proposals:
        lines += [f"# {line}" for line in proposal.evidence]
        lines.append(f"{proposal.question} = {toml_value(proposal.value)}")
        lines.append("")
    for suggestion in findings.suggestions:
        lines.append(
            f"# must-have to consider: {suggestion.requirement} ("
            + "; ".join(suggestion.evidence)
            + ")"
        )
    return "\n".join(lines) + "\n"


def format_origins(answers: Answers, code: CodeReading) -> str:
    """Where each answer the scan spoke to came from: the code, or the user's own file."""
    lines = []
    for finding in code.findings:
        origin = answers.origins.get(finding.question, answers.source.split(" and ")[0])
        value = toml_value(answers.values[finding.question])
        lines.append(f"{finding.question} = {value} (from {origin})")
    return "\n".join(lines) + "\n" if lines else ""
