"""The criteria and the questionnaire (resources/), typed and cross-checked once at load."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from advisor.base.errors import ResourceError, quoted
from advisor.base.resources_path import load_toml, resource_file
from advisor.base.serde import SchemaError, from_jsonable
from advisor.bench.spec import suite

FRAMEWORKS = ("torch", "tensorflow")
# How a framework meets a need: with its own tools, only through a third-party package,
# a converter or a separate runtime, or not at all.
SUPPORT_LEVELS = ("native", "indirect", "none")
# A need one framework meets natively and the other does not is decided by the score
# gap on its criterion; the gap must be at least this large to carry that decision.
REQUIRED_MIN_GAP = 3.0
TOOL_STATUSES = (
    "active",
    "slow releases",
    "limited maintenance",
    "deprecated",
    "archived",
    "renamed",
    "closed",
    "stalled",  # no stable release for more than a year, not formally deprecated
    "unverified",  # no source found that confirms its maintenance either way
)


@dataclass(frozen=True)
class Score:
    """One framework's score on a criterion (0-10) and why."""

    score: float
    rationale: str


@dataclass(frozen=True)
class Condition:
    """True when the answer to `question` includes any of `any_of`."""

    question: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class Override:
    """Scores a criterion takes instead of its own when a condition holds."""

    when: Condition
    torch: Score
    tensorflow: Score
    source: str
    url: str
    as_of: str  # the date the override's claim was last checked against its source
    support: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Criterion:
    """Something the recommendation weighs."""

    id: str
    dimension: str
    title: str
    description: str
    kind: Literal["static", "measured", "answer"]
    base_weight: float
    source: str = ""
    as_of: str = ""  # the date the claim was last checked against its source
    torch: Score | None = None
    tensorflow: Score | None = None
    metric: str | None = None
    normalisation: str | None = None
    url: str = ""
    version: str = ""  # the tool versions or releases the claim rests on
    tools: tuple[str, ...] = ()  # ids of [[tool]] entries the rationale relies on
    support: dict[str, str] = field(default_factory=dict)  # framework -> SUPPORT_LEVELS
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class Tool:
    """A tool the advice names, with its maintenance status as last checked."""

    id: str
    name: str
    status: str
    note: str
    url: str
    as_of: str
    version: str = ""  # the release the status rests on


@dataclass(frozen=True)
class Hedge:
    """A note the report adds when all its conditions hold (a middle way, not a winner)."""

    id: str
    when: tuple[Condition, ...]
    text: str
    url: str
    as_of: str  # the date the note was last checked against its source


@dataclass(frozen=True)
class Renamed:
    """An option id that stored answers may still hold, read as its replacement."""

    question: str
    old: str
    new: tuple[str, ...]
    note: str  # one line the verdict shows when an answer used the old id


@dataclass(frozen=True)
class AnswerScore:
    """Scores an answer sets on an 'answer' criterion."""

    torch: float
    tensorflow: float
    rationale: str
    support: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    """One choice of a single- or multi-choice question."""

    id: str
    label: str
    weights: dict[str, float] = field(default_factory=dict)
    scores: dict[str, AnswerScore] = field(default_factory=dict)
    requires: str | None = None  # a must-have: the criterion that carries it


@dataclass(frozen=True)
class Question:
    """One question: its options (single/multi) or its per-level weights (importance)."""

    id: str
    kind: Literal["single", "multi", "importance"]
    text: str
    help: str
    default: Any
    options: tuple[Option, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)
    # importance only: these criteria's weights are multiplied by level x scale_per_level
    scales: tuple[str, ...] = ()
    scale_per_level: float = 0.0

    def option(self, option_id: str) -> Option | None:
        """The option with this id, if the question offers it."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Knowledge:
    """Everything the scoring engine needs besides the answers and the measurements."""

    dimensions: dict[str, str]
    criteria: tuple[Criterion, ...]
    questions: tuple[Question, ...]
    tools: tuple[Tool, ...] = ()
    hedges: tuple[Hedge, ...] = ()
    # measured device ("cpu", "cuda") -> target (a hardware or deployment option) -> 0-1
    relevance: dict[str, dict[str, float]] = field(default_factory=dict)
    renamed: tuple[Renamed, ...] = ()

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    def tool(self, tool_id: str) -> Tool:
        return next(t for t in self.tools if t.id == tool_id)

    def questions_setting(self, criterion_id: str) -> tuple[Question, ...]:
        """The questions whose answers change this criterion's weight or scores (a
        must-have's question included)."""
        return tuple(
            question
            for question in self.questions
            if criterion_id in question.weights
            or criterion_id in question.scales
            or any(
                criterion_id in option.weights
                or criterion_id in option.scores
                or criterion_id == option.requires  # a must-have outweighs the rest
                for option in question.options
            )
        )

    def flagged(self, criterion: Criterion) -> tuple[Tool, ...]:
        """The tools a criterion relies on whose status is anything but active."""
        tools = (self.tool(tool_id) for tool_id in criterion.tools)
        return tuple(tool for tool in tools if tool.status != "active")


def parse_knowledge(criteria_data: dict[str, Any], questions_data: dict[str, Any]) -> Knowledge:
    """Type and cross-check both files; ResourceError names the file's entry at fault."""
    try:
        criteria = tuple(from_jsonable(Criterion, c) for c in criteria_data.get("criterion", []))
        questions = tuple(from_jsonable(Question, q) for q in questions_data.get("question", []))
        dimensions = from_jsonable(dict[str, str], criteria_data.get("dimensions", {}))
        tools = tuple(from_jsonable(Tool, t) for t in criteria_data.get("tool", []))
        hedges = tuple(from_jsonable(Hedge, h) for h in criteria_data.get("hedge", []))
        relevance = from_jsonable(dict[str, dict[str, float]], criteria_data.get("relevance", {}))
        renamed = tuple(from_jsonable(Renamed, r) for r in questions_data.get("renamed", []))
    except SchemaError as exc:
        raise ResourceError(f"criteria/questions: {exc}") from exc
    knowledge = Knowledge(dimensions, criteria, questions, tools, hedges, relevance, renamed)
    _check(knowledge)
    return knowledge


def _check(knowledge: Knowledge) -> None:
    ids = [c.id for c in knowledge.criteria]
    if len(set(ids)) != len(ids) or not ids:
        raise ResourceError(f"criteria: ids must be unique and present: {ids}")
    tools = {t.id for t in knowledge.tools}
    for tool in knowledge.tools:
        if tool.status not in TOOL_STATUSES:
            raise ResourceError(f"tool {quoted(tool.id)}: status must be one of {TOOL_STATUSES}")
        _check_dated(f"tool {quoted(tool.id)}", tool.url, tool.as_of)
    for hedge in knowledge.hedges:
        _check_dated(f"note {quoted(hedge.id)}", hedge.url, hedge.as_of)
    for criterion in knowledge.criteria:
        _check_criterion(criterion, knowledge.dimensions, tools)
    question_ids = [q.id for q in knowledge.questions]
    if len(set(question_ids)) != len(question_ids):
        raise ResourceError(f"questions: ids repeat: {question_ids}")
    criteria = {c.id: c for c in knowledge.criteria}
    for question in knowledge.questions:
        _check_question(question, criteria)
    questions = {q.id: q for q in knowledge.questions}
    conditions = [(f"hedge {quoted(h.id)}", c) for h in knowledge.hedges for c in h.when]
    conditions += [
        (f"criterion {quoted(c.id)}", o.when) for c in knowledge.criteria for o in c.overrides
    ]
    for where, condition in conditions:
        _check_condition(where, condition, questions)
    for device, targets in knowledge.relevance.items():
        if not all(0 <= value <= 1 for value in targets.values()):
            raise ResourceError(f"relevance.{device}: values are 0-1")
    for renamed in knowledge.renamed:
        _check_renamed(renamed, questions)


def _check_renamed(renamed: Renamed, questions: dict[str, Question]) -> None:
    question = questions.get(renamed.question)
    where = f"renamed {renamed.question}.{renamed.old}"
    if question is None or question.option(renamed.old) is not None:
        raise ResourceError(f"{where}: the question must exist and no longer offer the old id")
    if not renamed.new or not all(question.option(new) for new in renamed.new):
        raise ResourceError(f"{where}: every new id must be an option of the question")


def _check_dated(where: str, url: str, as_of: str) -> None:
    """Every claim names an https source and the date it was checked."""
    if not url.startswith("https://"):
        raise ResourceError(f"{where}: needs an https url (its source)")
    if not _is_date(as_of):
        raise ResourceError(f"{where}: as_of must be the date checked (YYYY-MM-DD)")


def _check_condition(where: str, condition: Condition, questions: dict[str, Question]) -> None:
    question = questions.get(condition.question)
    if question is None or not all(question.option(o) for o in condition.any_of):
        raise ResourceError(f"{where}: condition names an unknown question or option")


def _check_criterion(criterion: Criterion, dimensions: dict[str, str], tools: set[str]) -> None:
    where = f"criterion {quoted(criterion.id)}"
    if criterion.dimension not in dimensions:
        raise ResourceError(f"{where}: unknown dimension {quoted(criterion.dimension)}")
    if criterion.base_weight < 0:
        raise ResourceError(f"{where}: base_weight must be >= 0")
    if not set(criterion.tools) <= tools:
        raise ResourceError(f"{where}: names unknown tools {sorted(set(criterion.tools) - tools)}")
    if criterion.kind == "static":
        if criterion.torch is None or criterion.tensorflow is None:
            raise ResourceError(f"{where}: a static criterion needs torch and tensorflow scores")
        if not criterion.source:
            raise ResourceError(f"{where}: a static criterion needs a source")
        _check_dated(where, criterion.url, criterion.as_of)
        _check_scores(where, criterion.torch, criterion.tensorflow, criterion.support)
        for override in criterion.overrides:
            _check_scores(where, override.torch, override.tensorflow, override.support)
            _check_dated(f"{where}: override", override.url, override.as_of)
    if criterion.kind == "measured" and criterion.metric not in suite().metrics:
        raise ResourceError(f"{where}: metric must be one of {sorted(suite().metrics)}")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _check_scores(where: str, torch: Score, tensorflow: Score, support: dict[str, str]) -> None:
    for score in (torch, tensorflow):
        if not 0 <= score.score <= 10 or not score.rationale:
            raise ResourceError(f"{where}: scores are 0-10 with a rationale")
    _check_support(where, torch.score, tensorflow.score, support)


def _check_support(where: str, torch: float, tensorflow: float, support: dict[str, str]) -> None:
    """Support levels name both frameworks; the better-supported one leads by the minimum gap."""
    if not support:
        return
    if set(support) != set(FRAMEWORKS) or not set(support.values()) <= set(SUPPORT_LEVELS):
        raise ResourceError(f"{where}: support needs torch and tensorflow in {SUPPORT_LEVELS}")
    rank = {level: i for i, level in enumerate(SUPPORT_LEVELS)}
    lead = rank[support["tensorflow"]] - rank[support["torch"]]  # > 0: PyTorch better
    gap = torch - tensorflow
    if lead and (gap * lead <= 0 or abs(gap) < REQUIRED_MIN_GAP):
        raise ResourceError(
            f"{where}: the better-supported framework must lead by {REQUIRED_MIN_GAP} points"
        )


def _check_question(question: Question, criteria: dict[str, Criterion]) -> None:
    where = f"question {quoted(question.id)}"
    weight_maps = [question.weights] + [o.weights for o in question.options]
    for weights in weight_maps:
        unknown = set(weights) - set(criteria)
        if unknown:
            raise ResourceError(f"{where}: weights name unknown criteria {sorted(unknown)}")
    if not set(question.scales) <= set(criteria):
        raise ResourceError(f"{where}: scales names unknown criteria")
    for option in question.options:
        if option.requires is not None and option.requires not in criteria:
            raise ResourceError(
                f"{where}: option {quoted(option.id)} requires an unknown criterion"
            )
        # Unticking a must-have is how the advice says what it decided (weights.without).
        if option.requires is not None and question.kind != "multi":
            raise ResourceError(f"{where}: a must-have option needs a multi-choice question")
        for criterion_id, score in option.scores.items():
            if criteria.get(criterion_id) is None or criteria[criterion_id].kind != "answer":
                raise ResourceError(
                    f"{where}: option {quoted(option.id)} scores a non-answer criterion"
                )
            if not (0 <= score.torch <= 10 and 0 <= score.tensorflow <= 10):
                raise ResourceError(f"{where}: option {quoted(option.id)}: scores are 0-10")
            _check_support(
                f"{where}: option {quoted(option.id)}", score.torch, score.tensorflow, score.support
            )
    if question.kind == "importance":
        if question.options or not isinstance(question.default, int):
            raise ResourceError(f"{where}: an importance question has weights and a 0-5 default")
    elif not question.options:
        raise ResourceError(f"{where}: a {question.kind} question needs options")


@functools.cache
def knowledge() -> Knowledge:
    """The shipped criteria and questionnaire."""
    criteria_path, questions_path = resource_file("criteria.toml"), resource_file("questions.toml")
    return parse_knowledge(load_toml(criteria_path), load_toml(questions_path))
