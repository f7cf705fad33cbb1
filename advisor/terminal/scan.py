"""The terminal, JSON and answers-file views of a scan of the user's code."""

from __future__ import annotations

from advisor.record import CodeReading
from advisor.scan.propose import Findings
from advisor.scan.walk import VENDORED
from advisor.scoring.answers import Answers
from advisor.scoring.knowledge import Knowledge
from advisor.session import dumps
from advisor.wording.scan import also_seen, answer_line, value_text, what_was_read


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
        lines.append(f"  {answer_line(proposal.question, proposal.value)}  ({shown})")
        lines.append(f"    {texts[proposal.question]}")
        lines += [f"    - {line}" for line in proposal.evidence]
    if findings.suggestions:
        lines.append("Must-haves to consider (never ticked for you)")
        for suggestion in findings.suggestions:
            label = value_text("requirements", suggestion.requirement, known)
            lines.append(f"  {suggestion.requirement} ({label}): " + "; ".join(suggestion.evidence))
    lines += also_seen(findings)
    lines += what_was_read(findings)
    return "\n".join(lines) + "\n"


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
        lines.append(answer_line(proposal.question, proposal.value))
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
        value = answers.values[finding.question]
        lines.append(f"{answer_line(finding.question, value)} (from {origin})")
    return "\n".join(lines) + "\n" if lines else ""
