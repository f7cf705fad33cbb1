"""How old the knowledge behind a verdict is: the oldest check date of the claims it used."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from advisor.scoring.answers import Answers
from advisor.scoring.knowledge import Criterion, Hedge, Knowledge
from advisor.scoring.weights import applying_override

# Past this many days the verdict says plainly that its knowledge may be out of date:
# the ecosystem moves every few months (tools renamed, archived, released).
STALE_AFTER_DAYS = 180
UPDATE_HINT = (
    "install the newest Framework Advisor (pip install --upgrade framework-advisor, or a "
    "newer release of the app) and run `framework-advisor knowledge` to see each claim's "
    "source and date"
)


@dataclass(frozen=True)
class Freshness:
    """When the claims behind a verdict were last checked, and whether that is too long ago."""

    checked: str  # the oldest as_of (YYYY-MM-DD) among the claims used
    age_days: int
    stale: bool

    def _age(self) -> str:
        if self.age_days == 0:
            return "today"
        return f"{self.age_days} day{'s' if self.age_days != 1 else ''} ago"

    def sentence(self) -> str:
        """One line for the terminal, the report and the app."""
        base = f"Knowledge last checked {self.checked} ({self._age()})"
        if self.stale:
            return f"{base}: it may be out of date; {UPDATE_HINT}."
        return f"{base}."


def claim_date(criterion: Criterion, answers: Answers) -> str:
    """The check date of the claim a static criterion scores with for these answers."""
    override = applying_override(criterion, answers)
    return override.as_of if override is not None else criterion.as_of


def used_dates(
    knowledge: Knowledge,
    answers: Answers,
    criteria: Sequence[Criterion],
    notes: Iterable[Hedge],
) -> list[str]:
    """The check dates of the static claims weighed, the tools they rely on and the notes shown."""
    static = [c for c in criteria if c.kind == "static"]
    dates = [claim_date(c, answers) for c in static]
    dates += [knowledge.tool(tool_id).as_of for c in static for tool_id in c.tools]
    return dates + [note.as_of for note in notes]


def freshness(dates: Iterable[str], today: date) -> Freshness | None:
    """The oldest date and its age on `today`; None when no dated claim was used."""
    known = sorted(d for d in dates if d)  # a claim with no date is not evidence of age
    if not known:
        return None
    age = (today - date.fromisoformat(known[0])).days
    return Freshness(known[0], age, age > STALE_AFTER_DAYS)
