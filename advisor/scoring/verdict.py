"""The recommendation as plain JSON data: `recommend --json` and the JSON report carry it."""

from __future__ import annotations

from typing import Any

from advisor.scoring.engine import CriterionResult, Recommendation


def _criterion(row: CriterionResult) -> dict[str, Any]:
    criterion = row.criterion
    return {
        "id": criterion.id,
        "title": criterion.title,
        "dimension": criterion.dimension,
        "kind": criterion.kind,
        "weight": row.weight,
        "torch": row.torch,
        "tensorflow": row.tensorflow,
        "contribution": row.contribution,
        "rationale_torch": row.rationale_torch,
        "rationale_tensorflow": row.rationale_tensorflow,
        "source": criterion.source,
        "url": criterion.url,
        "version": criterion.version,
        "as_of": criterion.as_of,
        "evidence": row.evidence,
        "spread": list(row.spread) if row.spread else None,
    }


def _knowledge_age(rec: Recommendation) -> dict[str, Any] | None:
    found = rec.freshness
    if found is None:
        return None
    return {
        "checked": found.checked,
        "age_days": found.age_days,
        "stale": found.stale,
        "text": found.sentence(),
    }


def verdict_jsonable(rec: Recommendation) -> dict[str, Any]:
    """Winner, margin, confidence and what it rests on, every criterion, requirements, flips."""
    return {
        "winner": rec.winner,
        "margin": rec.margin,
        "confidence": rec.confidence,
        "confidence_reasons": list(rec.confidence_reasons),
        "rests_on_defaults": rec.rests_on_defaults,
        "unanswered": list(rec.unanswered),
        "static_only": rec.static_only,
        "answers_source": rec.answers_source,
        "totals": dict(rec.totals),
        "robustness": rec.robustness,
        "why": list(rec.decisive),
        "strongest_pull_against": rec.against,
        "requirements": [
            {
                "label": r.label,
                "criterion": r.criterion.id,
                "support": dict(r.support),
                "deciding": r.deciding,
                "winner": r.winner,
                "question": r.question,
                "option": r.option,
            }
            for r in rec.requirements
        ],
        "without_must_haves": rec.without_must_haves,
        "relevance": dict(rec.relevance),
        "warnings": list(rec.warnings),
        "notes": [{"text": n.text, "url": n.url, "as_of": n.as_of} for n in rec.notes],
        "knowledge": _knowledge_age(rec),
        "flagged_tools": [
            {"name": tool.name, "status": tool.status, "note": tool.note, "url": tool.url}
            for tool in rec.flagged
        ],
        "missing": list(rec.missing),
        "flips": [
            {"criterion": f.criterion.id, "title": f.criterion.title, "factor": f.factor}
            for f in rec.flipping()
        ],
        "criteria": [_criterion(row) for row in rec.criteria],
    }
