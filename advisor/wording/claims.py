"""Every dated claim of the knowledge base as plain data: `framework-advisor knowledge`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from advisor.scoring.freshness import Freshness, freshness
from advisor.scoring.knowledge import Condition, Criterion, Knowledge


@dataclass(frozen=True)
class Claim:
    """One sourced, dated statement: a criterion's scores, an override's, or a note."""

    kind: str  # "criterion", "override" or "note"
    id: str
    title: str
    when: str  # the answer an override or a note applies under ("" when always)
    torch: float | None
    tensorflow: float | None
    support: dict[str, str]
    source: str
    url: str
    version: str
    as_of: str


def _condition(condition: Condition) -> str:
    return f"{condition.question} includes {' or '.join(condition.any_of)}"


def _criterion_claims(criterion: Criterion) -> list[Claim]:
    assert criterion.torch is not None and criterion.tensorflow is not None
    found = [
        Claim(
            "criterion",
            criterion.id,
            criterion.title,
            "",
            criterion.torch.score,
            criterion.tensorflow.score,
            dict(criterion.support),
            criterion.source,
            criterion.url,
            criterion.version,
            criterion.as_of,
        )
    ]
    for override in criterion.overrides:
        found.append(
            Claim(
                "override",
                criterion.id,
                criterion.title,
                _condition(override.when),
                override.torch.score,
                override.tensorflow.score,
                dict(override.support),
                override.source,
                override.url,
                "",
                override.as_of,
            )
        )
    return found


def claims(knowledge: Knowledge) -> list[Claim]:
    """The static criteria with their overrides, then the notes, in file order."""
    found = [c for cr in knowledge.criteria if cr.kind == "static" for c in _criterion_claims(cr)]
    for hedge in knowledge.hedges:
        when = "; ".join(_condition(condition) for condition in hedge.when)
        found.append(
            Claim(
                "note", hedge.id, hedge.text, when, None, None, {}, "", hedge.url, "", hedge.as_of
            )
        )
    return found


def knowledge_age(knowledge: Knowledge, today: date) -> Freshness | None:
    """The oldest check among all claims and tools, and its age on `today`."""
    return freshness(
        [c.as_of for c in claims(knowledge)] + [t.as_of for t in knowledge.tools], today
    )


def knowledge_jsonable(knowledge: Knowledge, today: date) -> dict[str, Any]:
    """Every claim and tool with its source and date, and how old the oldest check is."""
    listed = claims(knowledge)
    age = knowledge_age(knowledge, today)
    return {
        "oldest_check": age.checked if age else None,
        "age_days": age.age_days if age else None,
        "stale": age.stale if age else None,
        "claims": [vars(claim) for claim in listed],
        "tools": [vars(tool) for tool in knowledge.tools],
    }
