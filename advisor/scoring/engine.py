"""Answers + measurements -> weighted totals, contributions, flip points, robustness, confidence."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from advisor.record import BenchmarkRun
from advisor.scoring.answers import Answers
from advisor.scoring.evidence import Measured, measured_scores
from advisor.scoring.knowledge import AnswerScore, Criterion, Knowledge, Question

MAX_FLIP_FACTOR = 10.0
# Margins this close to zero (on the 0-10 scale) are rounding noise: a tie.
TIE_TOLERANCE = 1e-9
ROBUSTNESS_SAMPLES = 1000
ROBUSTNESS_CONCENTRATION = 50.0  # Dirichlet concentration around the user's weights
NAMES = {"torch": "PyTorch", "tensorflow": "TensorFlow", "tie": "neither (a tie)"}

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
class Recommendation:
    """The outcome with everything needed to explain and challenge it."""

    winner: Winner
    margin: float  # difference of the totals, in points on the 0-10 scale
    totals: dict[str, float]
    criteria: tuple[CriterionResult, ...]  # strongest pull first
    decisive: tuple[str, ...]
    flips: tuple[FlipPoint, ...]
    robustness: float  # share of perturbed weightings the winner still wins
    confidence: Confidence
    confidence_reasons: tuple[str, ...]
    missing: tuple[str, ...]  # weighted measured criteria that had no measurement
    static_only: bool
    answers_source: str

    @property
    def loser(self) -> Winner:
        """The framework that would win if the answer flipped."""
        return "tensorflow" if self.winner == "torch" else "torch"

    def flipping(self) -> list[FlipPoint]:
        """The criteria whose weight, scaled within 0-10x, changes the winner; nearest 1x first."""
        found = [f for f in self.flips if f.factor is not None]
        return sorted(found, key=lambda f: abs((f.factor or 0) - 1))


def raw_weights(knowledge: Knowledge, answers: Answers) -> dict[str, float]:
    """Base weights plus every answer's changes, never below zero."""
    weights = {c.id: c.base_weight for c in knowledge.criteria}
    for question in knowledge.questions:
        for criterion_id, delta in _deltas(question, answers.values[question.id]).items():
            weights[criterion_id] = weights[criterion_id] + delta
    return {key: max(0.0, value) for key, value in weights.items()}


def _deltas(question: Question, value: object) -> dict[str, float]:
    if question.kind == "importance":
        assert isinstance(value, int)
        return {key: per_level * value for key, per_level in question.weights.items()}
    chosen = value if isinstance(value, list) else [value]
    deltas: dict[str, float] = {}
    for option_id in chosen:
        option = question.option(str(option_id))
        assert option is not None
        for key, delta in option.weights.items():
            deltas[key] = deltas.get(key, 0.0) + delta
    return deltas


def answer_scores(knowledge: Knowledge, answers: Answers) -> dict[str, AnswerScore]:
    """Scores the answers set on the 'answer' criteria (team experience, existing code)."""
    scores: dict[str, AnswerScore] = {}
    for question in knowledge.questions:
        value = answers.values[question.id]
        for option_id in value if isinstance(value, list) else [value]:
            option = question.option(str(option_id))
            if option is not None:
                scores.update(option.scores)
    return scores


def _scored(
    criterion: Criterion,
    weight: float,
    answered: Mapping[str, AnswerScore],
    measured: Mapping[str, Measured],
) -> CriterionResult | None:
    if criterion.kind == "static":
        assert criterion.torch is not None and criterion.tensorflow is not None
        return CriterionResult(
            criterion,
            weight,
            criterion.torch.score,
            criterion.tensorflow.score,
            criterion.torch.rationale,
            criterion.tensorflow.rationale,
            None,
        )
    if criterion.kind == "answer":
        given = answered.get(criterion.id)
        if given is None:
            return None
        return CriterionResult(
            criterion,
            weight,
            given.torch,
            given.tensorflow,
            given.rationale,
            given.rationale,
            None,
        )
    found = measured[str(criterion.metric)]
    if found.torch is None or found.tensorflow is None:
        return None
    return CriterionResult(
        criterion,
        weight,
        found.torch,
        found.tensorflow,
        found.evidence,
        found.evidence,
        found.evidence,
    )


def recommend(
    knowledge: Knowledge, answers: Answers, run: BenchmarkRun | None, seed: int = 0
) -> Recommendation:
    """The full recommendation; works without any measurements (static criteria only)."""
    weights = raw_weights(knowledge, answers)
    measured = measured_scores(run)
    answered = answer_scores(knowledge, answers)
    rows, missing = [], []
    for criterion in knowledge.criteria:
        if weights[criterion.id] <= 0:
            continue
        row = _scored(criterion, weights[criterion.id], answered, measured)
        if row is not None:
            rows.append(row)
        elif criterion.kind == "measured":
            missing.append(f"{criterion.title} ({measured[str(criterion.metric)].evidence})")
    total_weight = sum(r.weight for r in rows)
    rows = [_normalised(r, total_weight) for r in rows]
    return _conclude(rows, tuple(missing), run is None, answers.source, seed)


def _normalised(row: CriterionResult, total: float) -> CriterionResult:
    return CriterionResult(
        row.criterion,
        row.weight / total,
        row.torch,
        row.tensorflow,
        row.rationale_torch,
        row.rationale_tensorflow,
        row.evidence,
    )


def _conclude(
    rows: list[CriterionResult],
    missing: tuple[str, ...],
    static_only: bool,
    source: str,
    seed: int,
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
    robust = robustness([r.weight for r in rows], [r.torch - r.tensorflow for r in rows], seed)
    confidence, reasons = _confidence(abs(margin), robust, missing, static_only)
    return Recommendation(
        winner,
        abs(margin),
        totals,
        ordered,
        _decisive(ordered, winner),
        tuple(FlipPoint(r.criterion, flip_factor(rows, i)) for i, r in enumerate(rows)),
        robust,
        confidence,
        reasons,
        missing,
        static_only,
        source,
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


def robustness(weights: list[float], differences: list[float], seed: int) -> float:
    """Share of Dirichlet-perturbed weightings (seeded) under which the winner stays the same."""
    current = sum(w * d for w, d in zip(weights, differences, strict=True))
    if abs(current) <= TIE_TOLERANCE or not weights:
        return 0.0
    rng = random.Random(seed)
    kept = 0
    for _ in range(ROBUSTNESS_SAMPLES):
        draws = [
            rng.gammavariate(ROBUSTNESS_CONCENTRATION * w, 1.0) if w > 0 else 0.0 for w in weights
        ]
        perturbed = sum(x * d for x, d in zip(draws, differences, strict=True))
        kept += (perturbed > 0) == (current > 0) and perturbed != 0
    return kept / ROBUSTNESS_SAMPLES


def _confidence(
    margin: float, robust: float, missing: tuple[str, ...], static_only: bool
) -> tuple[Confidence, tuple[str, ...]]:
    levels: tuple[Confidence, ...] = ("close call", "leaning", "clear")
    level = 2 if margin >= 1.0 and robust >= 0.9 else 1 if margin >= 0.3 and robust >= 0.7 else 0
    reasons = [
        f"margin {margin:.2f} points out of 10",
        f"wins {robust:.0%} of {ROBUSTNESS_SAMPLES:,} randomly perturbed weightings",
    ]
    if static_only:
        level = max(0, level - 1)
        reasons.append("no benchmark results: static criteria only")
    elif missing:
        level = max(0, level - 1)
        reasons.append("missing measurements: " + "; ".join(missing))
    return levels[level], tuple(reasons)


def _decisive(rows: tuple[CriterionResult, ...], winner: Winner) -> tuple[str, ...]:
    if winner == "tie":
        return ()
    sign = 1 if winner == "torch" else -1
    pulling = [r for r in rows if r.contribution * sign > 0][:3]
    sentences = []
    for row in pulling:
        rationale = row.rationale_torch if winner == "torch" else row.rationale_tensorflow
        sentences.append(
            f"{row.criterion.title} (PyTorch {row.torch:.1f} vs TensorFlow {row.tensorflow:.1f}, "
            f"weight {row.weight:.0%}): {rationale}"
        )
    return tuple(sentences)
