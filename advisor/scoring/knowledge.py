"""The criteria and the questionnaire (resources/), typed and cross-checked once at load."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

from advisor.catalog import load_toml
from advisor.errors import ResourceError
from advisor.resources_path import resource_file
from advisor.serde import SchemaError, from_jsonable

FRAMEWORKS = ("torch", "tensorflow")
MEASURED_METRICS = (
    "training",
    "inference",
    "compiled",
    "compile_cost",
    "dynamic",
    "input_pipeline",
    "footprint",
)


@dataclass(frozen=True)
class Score:
    """One framework's score on a criterion (0-10) and why."""

    score: float
    rationale: str


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
    as_of: str = ""
    torch: Score | None = None
    tensorflow: Score | None = None
    metric: str | None = None
    normalisation: str | None = None


@dataclass(frozen=True)
class AnswerScore:
    """Scores an answer sets on an 'answer' criterion."""

    torch: float
    tensorflow: float
    rationale: str


@dataclass(frozen=True)
class Option:
    """One choice of a single- or multi-choice question."""

    id: str
    label: str
    weights: dict[str, float] = field(default_factory=dict)
    scores: dict[str, AnswerScore] = field(default_factory=dict)


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

    def option(self, option_id: str) -> Option | None:
        """The option with this id, if the question offers it."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Knowledge:
    """Everything the scoring engine needs besides the answers and the measurements."""

    dimensions: dict[str, str]
    criteria: tuple[Criterion, ...]
    questions: tuple[Question, ...]

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


def parse_knowledge(criteria_data: dict[str, Any], questions_data: dict[str, Any]) -> Knowledge:
    """Type and cross-check both files; ResourceError names the file's entry at fault."""
    try:
        criteria = tuple(from_jsonable(Criterion, c) for c in criteria_data.get("criterion", []))
        questions = tuple(from_jsonable(Question, q) for q in questions_data.get("question", []))
        dimensions = from_jsonable(dict[str, str], criteria_data.get("dimensions", {}))
    except SchemaError as exc:
        raise ResourceError(f"criteria/questions: {exc}") from exc
    knowledge = Knowledge(dimensions, criteria, questions)
    _check(knowledge)
    return knowledge


def _check(knowledge: Knowledge) -> None:
    ids = [c.id for c in knowledge.criteria]
    if len(set(ids)) != len(ids) or not ids:
        raise ResourceError(f"criteria: ids must be unique and present: {ids}")
    for criterion in knowledge.criteria:
        _check_criterion(criterion, knowledge.dimensions)
    question_ids = [q.id for q in knowledge.questions]
    if len(set(question_ids)) != len(question_ids):
        raise ResourceError(f"questions: ids repeat: {question_ids}")
    for question in knowledge.questions:
        _check_question(question, {c.id: c for c in knowledge.criteria})


def _check_criterion(criterion: Criterion, dimensions: dict[str, str]) -> None:
    where = f"criterion {criterion.id!r}"
    if criterion.dimension not in dimensions:
        raise ResourceError(f"{where}: unknown dimension {criterion.dimension!r}")
    if criterion.base_weight < 0:
        raise ResourceError(f"{where}: base_weight must be >= 0")
    if criterion.kind == "static":
        if criterion.torch is None or criterion.tensorflow is None:
            raise ResourceError(f"{where}: a static criterion needs torch and tensorflow scores")
        if not criterion.source or not criterion.as_of:
            raise ResourceError(f"{where}: a static criterion needs a source and an as_of date")
        for score in (criterion.torch, criterion.tensorflow):
            if not 0 <= score.score <= 10 or not score.rationale:
                raise ResourceError(f"{where}: scores are 0-10 with a rationale")
    if criterion.kind == "measured" and criterion.metric not in MEASURED_METRICS:
        raise ResourceError(f"{where}: metric must be one of {MEASURED_METRICS}")


def _check_question(question: Question, criteria: dict[str, Criterion]) -> None:
    where = f"question {question.id!r}"
    weight_maps = [question.weights] + [o.weights for o in question.options]
    for weights in weight_maps:
        unknown = set(weights) - set(criteria)
        if unknown:
            raise ResourceError(f"{where}: weights name unknown criteria {sorted(unknown)}")
    for option in question.options:
        for criterion_id, score in option.scores.items():
            if criteria.get(criterion_id) is None or criteria[criterion_id].kind != "answer":
                raise ResourceError(f"{where}: option {option.id!r} scores a non-answer criterion")
            if not (0 <= score.torch <= 10 and 0 <= score.tensorflow <= 10):
                raise ResourceError(f"{where}: option {option.id!r}: scores are 0-10")
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
