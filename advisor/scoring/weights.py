"""How much each criterion counts for these answers: base weights, answers, relevance, must-haves.

The order of the steps is the method docs/advice.md describes:
1. base weight + what each answer adds (never below zero);
2. importance questions that scale criteria multiply them (level 0 zeroes them);
3. measured criteria are multiplied by how well the measured device stands for the
   user's targets (relevance, data in criteria.toml);
4. must-haves: a required need that one framework meets natively and the other does
   not outweighs everything else put together (REQUIRED_FACTOR); one both meet
   natively only counts more (REQUIRED_BOOST).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from advisor.bench.spec import suite
from advisor.scoring.answers import Answers
from advisor.scoring.knowledge import (
    AnswerScore,
    Condition,
    Criterion,
    Knowledge,
    Option,
    Override,
    Question,
    Score,
)

# A deciding must-have weighs this many times all other criteria together; with the
# minimum score gap of a support difference (3 points, checked at load) its pull then
# exceeds the largest pull the rest could have (10 points x their whole weight).
REQUIRED_FACTOR = 4.0
REQUIRED_BOOST = 2.0
TRAINING_TARGETS = "hardware"
INFERENCE_TARGETS = "deployment_targets"
# Deployment targets that run where the models were trained, so the hardware answer
# says how relevant a measurement is for them too.
HOSTED_TARGETS = ("cloud_server", "batch_onprem")


@dataclass(frozen=True)
class Requirement:
    """A need the user marked as required, and how each framework meets it."""

    label: str
    criterion: Criterion
    support: dict[str, str]  # empty: no support levels known (treated as both native)
    deciding: bool  # the frameworks meet it differently: it outweighs everything else
    torch: float
    tensorflow: float
    rationale_torch: str
    rationale_tensorflow: str
    question: str  # the question and option that marked it
    option: str

    @property
    def winner(self) -> str | None:
        """The framework that meets the need better, when it decides."""
        if not self.deciding:
            return None
        return "torch" if self.torch > self.tensorflow else "tensorflow"


def chosen(answers: Answers, question: str) -> list[str]:
    """The option ids answered for a question (empty for an unknown one)."""
    value = answers.values.get(question)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def holds(condition: Condition, answers: Answers) -> bool:
    """True when the answer to the condition's question includes one of its options."""
    return bool(set(chosen(answers, condition.question)) & set(condition.any_of))


def applying_override(criterion: Criterion, answers: Answers) -> Override | None:
    """The criterion's first override whose condition holds for these answers, if any."""
    return next((o for o in criterion.overrides if holds(o.when, answers)), None)


def static_scores(criterion: Criterion, answers: Answers) -> tuple[Score, Score, dict[str, str]]:
    """A static criterion's scores and support, from its first override whose condition holds."""
    override = applying_override(criterion, answers)
    if override is not None:
        return override.torch, override.tensorflow, override.support
    assert criterion.torch is not None and criterion.tensorflow is not None
    return criterion.torch, criterion.tensorflow, criterion.support


def answered_weights(knowledge: Knowledge, answers: Answers) -> dict[str, float]:
    """Base weights plus every answer's changes, never below zero, then the importance scales."""
    weights = {c.id: c.base_weight for c in knowledge.criteria}
    for question in knowledge.questions:
        for criterion_id, delta in _deltas(question, answers).items():
            weights[criterion_id] = weights[criterion_id] + delta
    weights = {key: max(0.0, value) for key, value in weights.items()}
    for question in knowledge.questions:
        level = answers.values.get(question.id, question.default)
        for criterion_id in question.scales:
            weights[criterion_id] *= level * question.scale_per_level
    return weights


def _deltas(question: Question, answers: Answers) -> dict[str, float]:
    if question.kind == "importance":
        level = answers.values.get(question.id)
        if level is None:
            return {}
        assert isinstance(level, int)
        return {key: per_level * level for key, per_level in question.weights.items()}
    deltas: dict[str, float] = {}
    for option_id in chosen(answers, question.id):
        option = question.option(option_id)
        assert option is not None
        for key, delta in option.weights.items():
            deltas[key] = deltas.get(key, 0.0) + delta
    return deltas


def answer_scores(knowledge: Knowledge, answers: Answers) -> dict[str, AnswerScore]:
    """Scores the answers set on the 'answer' criteria (team experience, existing code)."""
    scores: dict[str, AnswerScore] = {}
    for question in knowledge.questions:
        for option_id in chosen(answers, question.id):
            option = question.option(option_id)
            if option is not None:
                scores.update(option.scores)
    return scores


def relevance(knowledge: Knowledge, answers: Answers, device: str | None) -> dict[str, float]:
    """How well a run on `device` stands for the user's targets: 'training' and 'inference', 0-1.

    Training happens on the hardware answered (unknown: 1.0); inference on the deployment targets,
    where a server or batch target runs on that same hardware. The best-matching
    target counts (a measurement that speaks to one of them is worth having).
    Without a run, each figure counts as much as the best run this tool could make would
    (a CPU or an NVIDIA GPU): a missing measurement never weighs more than a real one.
    """
    if device is None:
        runs = [relevance(knowledge, answers, known) for known in knowledge.relevance]
        return {key: max((r[key] for r in runs), default=1.0) for key in ("training", "inference")}
    table = knowledge.relevance.get(device, {})
    hardware = chosen(answers, TRAINING_TARGETS)
    # No hardware answered: the target is unknown, and this machine is the best guess.
    training = max((table.get(t, 0.0) for t in hardware), default=1.0)
    serving = [
        training if target in HOSTED_TARGETS else table.get(target, 0.0)
        for target in chosen(answers, INFERENCE_TARGETS)
    ]
    return {"training": training, "inference": max(serving, default=training)}


def metric_relevance(criterion: Criterion, shares: Mapping[str, float]) -> float:
    """The relevance that applies to one measured criterion (by what its metric speaks to)."""
    speaks_to = suite().metrics[str(criterion.metric)].speaks_to
    if speaks_to == "both":
        return (shares["training"] + shares["inference"]) / 2
    return shares[speaks_to]


def requirements(
    knowledge: Knowledge, answers: Answers, answered: Mapping[str, AnswerScore]
) -> list[Requirement]:
    """The must-haves the user marked, each with both frameworks' scores and support."""
    found = []
    for question in knowledge.questions:
        for option_id in chosen(answers, question.id):
            option = question.option(option_id)
            if option is None or option.requires is None:
                continue
            criterion = knowledge.criterion(option.requires)
            found.append(_requirement((question.id, option), criterion, answers, answered))
    return found


def without(answers: Answers, required: Sequence[Requirement]) -> Answers:
    """The answers with these must-haves unticked (each is a multi-choice option)."""
    values = dict(answers.values)
    for requirement in required:
        ticked = values[requirement.question]
        values[requirement.question] = [v for v in ticked if v != requirement.option]
    return replace(answers, values=values)


def _requirement(
    marked: tuple[str, Option],
    criterion: Criterion,
    answers: Answers,
    answered: Mapping[str, AnswerScore],
) -> Requirement:
    question, option = marked
    label = option.label
    if criterion.kind == "answer":
        given = answered.get(criterion.id)
        if given is None:  # e.g. "keep our code" with no code: nothing to keep
            return Requirement(label, criterion, {}, False, 0, 0, "", "", question, option.id)
        support, scores = given.support, (given.torch, given.tensorflow)
        rationales = (given.rationale, given.rationale)
    else:
        torch, tensorflow, support = static_scores(criterion, answers)
        scores = (torch.score, tensorflow.score)
        rationales = (torch.rationale, tensorflow.rationale)
    deciding = bool(support) and support["torch"] != support["tensorflow"]
    return Requirement(
        label, criterion, support, deciding, *scores, *rationales, question, option.id
    )


def with_requirements(
    weights: dict[str, float], required: Sequence[Requirement]
) -> dict[str, float]:
    """Weights with the must-haves applied (see the module's step 4)."""
    deciding = {r.criterion.id for r in required if r.deciding}
    boosted = {r.criterion.id for r in required} - deciding
    result = {
        key: value + (REQUIRED_BOOST if key in boosted else 0.0) for key, value in weights.items()
    }
    rest = sum(value for key, value in result.items() if key not in deciding)
    for key in deciding:
        result[key] = REQUIRED_FACTOR * rest
    return result
