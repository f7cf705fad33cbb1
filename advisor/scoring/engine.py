"""Answers + measurements -> weighted totals, contributions, flip points, robustness, confidence."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from advisor.catalog import display_names
from advisor.comparison import Comparison, busy_note
from advisor.record import DeploymentRun
from advisor.scoring.answers import Answers, unanswered
from advisor.scoring.deployment import route_evidence
from advisor.scoring.evidence import MAX_GAP, Measured, measured_scores
from advisor.scoring.freshness import Freshness, freshness, used_dates
from advisor.scoring.knowledge import AnswerScore, Criterion, Hedge, Knowledge, Tool
from advisor.scoring.weights import (
    INFERENCE_TARGETS,
    TRAINING_TARGETS,
    Requirement,
    answer_scores,
    answered_weights,
    chosen,
    holds,
    metric_relevance,
    relevance,
    requirements,
    static_scores,
    with_requirements,
    without,
)

MAX_FLIP_FACTOR = 10.0
# Margins this close to zero (on the 0-10 scale) are rounding noise: a tie.
TIE_TOLERANCE = 1e-9
ROBUSTNESS_SAMPLES = 1000
# A tool is flagged when a criterion carrying at least this share of the weight relies on it.
FLAG_MIN_WEIGHT = 0.02
ROBUSTNESS_CONCENTRATION = 50.0  # Dirichlet concentration around the user's weights
NAMES = {**display_names(), "tie": "neither (a tie)"}

Winner = Literal["torch", "tensorflow", "tie"]
Confidence = Literal["clear", "leaning", "close call"]


@dataclass(frozen=True)
class CriterionResult:
    """One weighted criterion: both scores, why, and its pull on the margin."""

    criterion: Criterion
    weight: float  # normalised: the active criteria's weights sum to 1
    torch: float
    tensorflow: float
    rationale_torch: str
    rationale_tensorflow: str
    evidence: str | None  # the measurement behind a measured criterion
    # measured only: the (lowest, highest) score difference within the ratio's interval
    spread: tuple[float, float] | None = None

    @property
    def contribution(self) -> float:
        """weight x (PyTorch - TensorFlow): positive pulls towards PyTorch."""
        return self.weight * (self.torch - self.tensorflow)


@dataclass(frozen=True)
class FlipPoint:
    """The factor on one criterion's weight at which the winner would change."""

    criterion: Criterion
    factor: float | None  # None: does not flip between 0x and 10x


@dataclass(frozen=True)
class Missing:
    """A weighted measured criterion without a figure, and what it could have pulled."""

    criterion: Criterion
    weight: float  # on the same scale as the scored rows' weights
    evidence: str


@dataclass(frozen=True)
class Context:
    """What the verdict rests on besides the rows."""

    requirements: tuple[Requirement, ...]
    unanswered: tuple[str, ...]  # the ids of the questions still at a default
    rests_on_defaults: bool  # no question answered at all
    relevance: dict[str, float]
    warnings: tuple[str, ...]
    notes: tuple[Hedge, ...]
    flagged: tuple[Tool, ...]
    freshness: Freshness | None = None


@dataclass(frozen=True)
class Recommendation:
    """The outcome with everything needed to explain and challenge it."""

    winner: Winner
    margin: float  # difference of the totals, in points on the 0-10 scale
    totals: dict[str, float]
    criteria: tuple[CriterionResult, ...]  # strongest pull first
    decisive: tuple[str, ...]
    flips: tuple[FlipPoint, ...]
    robustness: float  # share of perturbed weightings and measurements the winner still wins
    confidence: Confidence
    confidence_reasons: tuple[str, ...]
    missing: tuple[str, ...]  # weighted measured criteria that had no measurement
    static_only: bool
    answers_source: str
    requirements: tuple[Requirement, ...] = ()
    rests_on_defaults: bool = False
    relevance: dict[str, float] = field(default_factory=dict)  # 'training'/'inference' -> 0-1
    warnings: tuple[str, ...] = ()
    notes: tuple[Hedge, ...] = ()
    flagged: tuple[Tool, ...] = ()  # tools weighed criteria rely on that are not active
    against: str | None = None  # the strongest pull towards the other framework, if any
    freshness: Freshness | None = None  # when the knowledge it used was last checked
    unanswered: tuple[str, ...] = ()  # the ids of the questions still at a default
    # Who would win were the deciding must-haves not required (None: none decides).
    without_must_haves: Winner | None = None

    @property
    def loser(self) -> Winner:
        """The framework that would win if the answer flipped."""
        return "tensorflow" if self.winner == "torch" else "torch"

    @property
    def deciding(self) -> tuple[Requirement, ...]:
        """The must-haves that one framework meets natively and the other does not."""
        return tuple(r for r in self.requirements if r.deciding)

    def flipping(self) -> list[FlipPoint]:
        """The criteria whose weight, scaled within 0-10x, changes the winner; nearest 1x first."""
        found = [f for f in self.flips if f.factor is not None]
        return sorted(found, key=lambda f: abs((f.factor or 0) - 1))


def raw_weights(
    knowledge: Knowledge, answers: Answers, device: str | None = None
) -> dict[str, float]:
    """Every criterion's weight for these answers and a run on `device` (None: no run)."""
    required = requirements(knowledge, answers, answer_scores(knowledge, answers))
    return _weights(knowledge, answers, relevance(knowledge, answers, device), required)


def _weights(
    knowledge: Knowledge,
    answers: Answers,
    shares: Mapping[str, float],
    required: Sequence[Requirement],
) -> dict[str, float]:
    weights = answered_weights(knowledge, answers)
    for criterion in knowledge.criteria:
        if criterion.kind == "measured":
            weights[criterion.id] *= metric_relevance(criterion, shares)
    return with_requirements(weights, required)


def _static(
    criterion: Criterion, weight: float, answers: Answers, deployment: DeploymentRun | None
) -> CriterionResult:
    """A static criterion; a deployment one moved by the routes tried here (scoring/deployment)."""
    torch, tensorflow, _ = static_scores(criterion, answers)
    found = {
        framework: route_evidence(deployment, criterion.id, framework) if deployment else None
        for framework in ("torch", "tensorflow")
    }
    torch_found, tensorflow_found = found["torch"], found["tensorflow"]
    if torch_found is None or tensorflow_found is None:
        return CriterionResult(
            criterion,
            weight,
            torch.score,
            tensorflow.score,
            torch.rationale,
            tensorflow.rationale,
            None,
        )
    return CriterionResult(
        criterion,
        weight,
        torch_found.adjusted(torch.score),
        tensorflow_found.adjusted(tensorflow.score),
        f"{torch.rationale} {torch_found.text}",
        f"{tensorflow.rationale} {tensorflow_found.text}",
        f"PyTorch: {torch_found.text} TensorFlow: {tensorflow_found.text}",
    )


def _scored(
    criterion: Criterion,
    weight: float,
    answers: Answers,
    answered: Mapping[str, AnswerScore],
    measured: Mapping[str, Measured],
    deployment: DeploymentRun | None,
) -> CriterionResult | None:
    if criterion.kind == "static":
        return _static(criterion, weight, answers, deployment)
    if criterion.kind == "answer":
        given = answered.get(criterion.id)
        if given is None:
            return None
        return CriterionResult(
            criterion, weight, given.torch, given.tensorflow, given.rationale, given.rationale, None
        )
    found = measured[str(criterion.metric)]
    if found.torch is None or found.tensorflow is None:
        return None
    return CriterionResult(
        criterion,
        0.0 if found.tie else weight,
        found.torch,
        found.tensorflow,
        found.evidence,
        found.evidence,
        found.evidence,
        found.spread,
    )


def _scored_rows(
    knowledge: Knowledge,
    answers: Answers,
    answered: Mapping[str, AnswerScore],
    weights: Mapping[str, float],
    measured: Mapping[str, Measured],
    deployment: DeploymentRun | None,
) -> tuple[list[CriterionResult], list[Missing]]:
    """The criteria that carry weight, scored; the measured ones with nothing measured."""
    rows, missing = [], []
    for criterion in knowledge.criteria:
        if weights[criterion.id] <= 0:
            continue
        row = _scored(criterion, weights[criterion.id], answers, answered, measured, deployment)
        if row is not None:
            rows.append(row)
        elif criterion.kind == "measured":
            evidence = measured[str(criterion.metric)].evidence
            missing.append(Missing(criterion, weights[criterion.id], evidence))
    return rows, missing


def recommend(
    knowledge: Knowledge,
    answers: Answers,
    comparison: Comparison | None,
    seed: int = 0,
    deployment: DeploymentRun | None = None,
    today: date | None = None,
) -> Recommendation:
    """The full recommendation; works without any measurements (static criteria only).

    `deployment`: routes tried on this machine, evidence on the deployment criteria.
    `today`: the date the knowledge's age is measured against (default: today).
    """
    shares = relevance(knowledge, answers, comparison.run.device if comparison else None)
    answered = answer_scores(knowledge, answers)
    required = tuple(requirements(knowledge, answers, answered))
    weights = _weights(knowledge, answers, shares, required)
    rows, missing = _scored_rows(
        knowledge, answers, answered, weights, measured_scores(comparison), deployment
    )
    total = sum(r.weight for r in rows) or 1.0
    notes = tuple(h for h in knowledge.hedges if all(holds(c, answers) for c in h.when))
    used = used_dates(knowledge, answers, [r.criterion for r in rows], notes)
    defaults = unanswered(answers, knowledge)
    context = Context(
        required,
        defaults,
        bool(knowledge.questions) and len(defaults) == len(knowledge.questions),
        shares,
        (*answers.notes, *_warnings(knowledge, answers, comparison, shares)),
        notes,
        _flagged(knowledge, [r.criterion for r in rows if r.weight >= FLAG_MIN_WEIGHT * total]),
        freshness(used, today or date.today()),
    )
    found = _conclude(
        [replace(r, weight=r.weight / total) for r in rows],
        tuple(replace(m, weight=m.weight / total) for m in missing),
        comparison is None,
        answers.source,
        seed,
        context,
    )
    if not found.deciding:
        return found
    # What the rest of the answers favour: the first thing that would change the verdict.
    rest = recommend(knowledge, without(answers, found.deciding), comparison, seed, deployment)
    return replace(found, without_must_haves=rest.winner)


def _warnings(
    knowledge: Knowledge,
    answers: Answers,
    comparison: Comparison | None,
    shares: Mapping[str, float],
) -> list[str]:
    """A line when this machine was busy while it measured, and one when its figures say
    little about where the models will run."""
    busy = busy_note(comparison) if comparison is not None else None
    return ([busy] if busy else []) + _target_warnings(knowledge, answers, comparison, shares)


def _target_warnings(
    knowledge: Knowledge,
    answers: Answers,
    comparison: Comparison | None,
    shares: Mapping[str, float],
) -> list[str]:
    if comparison is None or min(shares.values()) >= 0.5:
        return []
    device = "an NVIDIA GPU" if comparison.run.device == "cuda" else "a CPU"
    targets = [
        _label(knowledge, question, option)
        for question in (TRAINING_TARGETS, INFERENCE_TARGETS)
        for option in chosen(answers, question)
    ]
    return [
        f"Measured on {device} ({comparison.run.device_name}); your models will run on "
        f"{', '.join(targets) or 'other hardware'}, so these figures count at "
        f"{shares['training']:.0%} (training) and {shares['inference']:.0%} (inference) "
        "of their weight. Run `framework-advisor bench` on such a machine and pass its "
        "record with --results."
    ]


def _flagged(knowledge: Knowledge, criteria: Sequence[Criterion]) -> tuple[Tool, ...]:
    found = {tool.id: tool for criterion in criteria for tool in knowledge.flagged(criterion)}
    return tuple(found.values())


def _label(knowledge: Knowledge, question_id: str, option_id: str) -> str:
    question = next(q for q in knowledge.questions if q.id == question_id)
    option = question.option(option_id)
    return option.label if option else option_id


def _conclude(
    rows: list[CriterionResult],
    missing: tuple[Missing, ...],
    static_only: bool,
    source: str,
    seed: int,
    context: Context,
) -> Recommendation:
    totals = {
        "torch": sum(r.weight * r.torch for r in rows),
        "tensorflow": sum(r.weight * r.tensorflow for r in rows),
    }
    margin = totals["torch"] - totals["tensorflow"]
    winner: Winner = (
        "tie" if abs(margin) <= TIE_TOLERANCE else "torch" if margin > 0 else "tensorflow"
    )
    ordered = tuple(sorted(rows, key=lambda r: -abs(r.contribution)))
    robust = robustness(rows, seed)
    confidence, reasons = _confidence(abs(margin), robust, rows, missing, context)
    return Recommendation(
        winner,
        abs(margin),
        totals,
        ordered,
        _decisive(ordered, winner, context.requirements),
        tuple(FlipPoint(r.criterion, flip_factor(rows, i)) for i, r in enumerate(rows)),
        robust,
        confidence,
        reasons,
        tuple(f"{m.criterion.title} ({m.evidence})" for m in missing),
        static_only,
        source,
        context.requirements,
        context.rests_on_defaults,
        context.relevance,
        context.warnings,
        context.notes,
        context.flagged,
        _against(ordered, winner),
        context.freshness,
        context.unanswered,
    )


def _against(rows: tuple[CriterionResult, ...], winner: Winner) -> str | None:
    """The criterion pulling hardest towards the framework that lost, as one sentence."""
    if winner == "tie":
        return None
    sign = -1 if winner == "torch" else 1
    other: Winner = "tensorflow" if winner == "torch" else "torch"
    row = next((r for r in rows if r.contribution * sign > 0), None)  # rows: strongest first
    if row is None:
        return None
    rationale = row.rationale_torch if other == "torch" else row.rationale_tensorflow
    return (
        f"{row.criterion.title} favours {NAMES[other]} (PyTorch {row.torch:.1f} vs TensorFlow "
        f"{row.tensorflow:.1f}, weight {row.weight:.0%}): {rationale}"
    )


def flip_factor(rows: list[CriterionResult], index: int) -> float | None:
    """Factor on rows[index]'s weight at which the sign of the margin changes, within 0-10x.

    The margin's sign is that of sum(w_j d_j); scaling w_i by f gives A + f*B with
    B = w_i d_i, so the winner changes at f = -A/B.
    """
    pulls = [r.weight * (r.torch - r.tensorflow) for r in rows]
    numerator, own = sum(pulls), pulls[index]
    rest = numerator - own
    # When the others cancel out (up to rounding), only dropping this criterion
    # entirely would tie the totals: that is no flip.
    if own == 0 or abs(numerator) <= TIE_TOLERANCE or abs(rest) <= 1e-9 * sum(map(abs, pulls)):
        return None
    factor = -rest / own
    return factor if 0 < factor <= MAX_FLIP_FACTOR and factor != 1 else None


def robustness(rows: Sequence[CriterionResult], seed: int) -> float:
    """Share of perturbed weightings (seeded) under which the winner stays the same.

    Each draw perturbs the weights (Dirichlet around the user's) and, for a measured
    criterion, draws its score difference from within its ratio's interval, so an
    uncertain measurement makes the verdict less robust.
    """
    current = sum(r.weight * (r.torch - r.tensorflow) for r in rows)
    if abs(current) <= TIE_TOLERANCE or not rows:
        return 0.0
    rng = random.Random(seed)
    kept = 0
    for _ in range(ROBUSTNESS_SAMPLES):
        perturbed = 0.0
        for row in rows:
            shape = ROBUSTNESS_CONCENTRATION * row.weight
            draw = rng.gammavariate(shape, 1.0) if row.weight > 0 else 0.0
            difference = rng.uniform(*row.spread) if row.spread else row.torch - row.tensorflow
            perturbed += draw * difference
        kept += (perturbed > 0) == (current > 0) and perturbed != 0
    return kept / ROBUSTNESS_SAMPLES


def could_flip(rows: Sequence[CriterionResult], missing: Sequence[Missing]) -> bool:
    """Whether these missing measurements, all at the largest gap against the winner, flip it."""
    margin = sum(r.weight * (r.torch - r.tensorflow) for r in rows)
    against = -MAX_GAP if margin > 0 else MAX_GAP
    return (margin + sum(m.weight for m in missing) * against) * margin <= 0


def _confidence(
    margin: float,
    robust: float,
    rows: Sequence[CriterionResult],
    missing: tuple[Missing, ...],
    context: Context,
) -> tuple[Confidence, tuple[str, ...]]:
    levels: tuple[Confidence, ...] = ("close call", "leaning", "clear")
    level = 2 if margin >= 1.0 and robust >= 0.9 else 1 if margin >= 0.3 and robust >= 0.7 else 0
    reasons = [
        f"margin {margin:.2f} points out of 10",
        f"wins {robust:.0%} of {ROBUSTNESS_SAMPLES:,} perturbed weightings and measurements",
    ]
    deciding = [r.label for r in context.requirements if r.deciding]
    if deciding:
        reasons.append("decided by what you require: " + ", ".join(deciding))
    alone = [m for m in missing if could_flip(rows, [m])]
    if alone or could_flip(rows, missing):
        level = max(0, level - 1)
        names = "; ".join(m.criterion.title for m in alone or missing)
        together = "" if alone else ", taken together"
        reasons.append(f"measurements not in this run could still flip it{together}: {names}")
    elif missing:
        reasons.append(f"{len(missing)} unmeasured criteria could not flip it, even together")
    if context.rests_on_defaults:
        level = min(level, 1)
        reasons.append("rests on the built-in defaults: answer the questions to sharpen it")
    return levels[level], tuple(reasons)


def how_met(requirement: Requirement) -> str:
    """'TensorFlow meets it natively, PyTorch only indirectly': a deciding must-have."""
    winner = str(requirement.winner)
    other = "tensorflow" if winner == "torch" else "torch"
    how = "only indirectly" if requirement.support.get(other) == "indirect" else "not at all"
    return f"{NAMES[winner]} meets it natively, {NAMES[other]} {how}"


def _requirement_sentence(requirement: Requirement) -> str:
    rationale = (
        requirement.rationale_torch
        if requirement.winner == "torch"
        else requirement.rationale_tensorflow
    )
    return f"Required: {requirement.label} - {how_met(requirement)}. {rationale}"


def _decisive(
    rows: tuple[CriterionResult, ...], winner: Winner, required: tuple[Requirement, ...]
) -> tuple[str, ...]:
    """The deciding must-haves first, then the criteria pulling hardest for the winner."""
    if winner == "tie":
        return ()
    deciding = [r for r in required if r.deciding and r.winner == winner]
    sentences = [_requirement_sentence(r) for r in deciding]
    decided = {r.criterion.id for r in deciding}
    sign = 1 if winner == "torch" else -1
    pulling = [r for r in rows if r.contribution * sign > 0 and r.criterion.id not in decided]
    for row in pulling[: max(1, 3 - len(sentences))]:
        rationale = row.rationale_torch if winner == "torch" else row.rationale_tensorflow
        sentences.append(
            f"{row.criterion.title} (PyTorch {row.torch:.1f} vs TensorFlow {row.tensorflow:.1f}, "
            f"weight {row.weight:.0%}): {rationale}"
        )
    return tuple(sentences)
