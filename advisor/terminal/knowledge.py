"""The terminal view of the knowledge base: every claim and tool with its source and date."""

from __future__ import annotations

from datetime import date

from advisor.scoring.knowledge import Knowledge
from advisor.wording.claims import Claim, claims, knowledge_age


def _claim_lines(claim: Claim) -> list[str]:
    if claim.kind == "note":
        head = f"  note {claim.id} (when {claim.when}): {claim.title}"
    else:
        where = f" when {claim.when}" if claim.when else ""
        head = (
            f"  {claim.title} [{claim.id}{where}]: PyTorch {claim.torch:g}, "
            f"TensorFlow {claim.tensorflow:g}"
        )
        if claim.support:
            head += f" (support: PyTorch {claim.support['torch']}, "
            head += f"TensorFlow {claim.support['tensorflow']})"
    lines = [head]
    if claim.source:
        lines.append(f"    source: {claim.source}")
    if claim.version:
        lines.append(f"    version: {claim.version}")
    lines.append(f"    checked {claim.as_of}: {claim.url}")
    return lines


def format_knowledge(knowledge: Knowledge, today: date) -> str:
    """Claims (criteria, overrides, notes), then tools with their status, then the oldest check."""
    lines = ["Claims"]
    for claim in claims(knowledge):
        lines += _claim_lines(claim)
    lines.append("Tools")
    for tool in knowledge.tools:
        lines.append(f"  {tool.name} [{tool.id}]: {tool.status} - {tool.note}")
        if tool.version:
            lines.append(f"    version: {tool.version}")
        lines.append(f"    checked {tool.as_of}: {tool.url}")
    age = knowledge_age(knowledge, today)
    if age is not None:
        lines.append(f"Oldest check: {age.sentence()}")
    return "\n".join(lines) + "\n"
