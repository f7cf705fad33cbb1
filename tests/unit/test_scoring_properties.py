"""Properties the advice must keep for any answers: must-haves, ties, importance 0 (hypothesis)."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.comparison import Comparison, compare
from advisor.record import BenchmarkRun, record_from_json
from advisor.scoring.answers import Answers
from advisor.scoring.engine import raw_weights, recommend
from advisor.scoring.knowledge import Question, knowledge
from tests.helpers import FIXTURES

RUN = record_from_json((FIXTURES / "records" / "bench_tiny_cpu.json").read_text()).benchmarks
assert RUN is not None
# Must-haves that one framework meets natively and the other does not, and who wins them.
DECIDING = {
    "tfx": "tensorflow",
    "huggingface": "torch",
    "pytorch_libraries": "torch",
}


def _value(question: Question) -> st.SearchStrategy[Any]:
    if question.kind == "importance":
        return st.integers(min_value=0, max_value=5)
    ids = [o.id for o in question.options]
    if question.kind == "single":
        return st.sampled_from(ids)
    return st.lists(st.sampled_from(ids), unique=True)


def answers_strategy() -> st.SearchStrategy[dict[str, Any]]:
    """Any valid answers to the shipped questionnaire."""
    return st.fixed_dictionaries({q.id: _value(q) for q in knowledge().questions})


def _scaled(run: BenchmarkRun, framework: str, factor: float) -> BenchmarkRun:
    """The run with every timing of one framework multiplied by factor (slower when > 1)."""
    suites = tuple(
        replace(
            s,
            cases=tuple(
                replace(c, samples_s=tuple(t * factor for t in c.samples_s)) for c in s.cases
            ),
        )
        if s.framework == framework
        else s
        for s in run.suites
    )
    return replace(run, suites=suites)


@functools.cache
def _comparison(factor: float) -> Comparison:
    from advisor.bench.stats import summarise

    scaled = _scaled(RUN, "torch", factor)
    suites = tuple(
        replace(
            s,
            cases=tuple(
                replace(c, stats=summarise(c.samples_s)) if c.stats else c for c in s.cases
            ),
        )
        for s in scaled.suites
    )
    return compare(replace(scaled, suites=suites))


@settings(max_examples=60, deadline=None)
@given(
    answers_strategy(),
    st.sampled_from(sorted(DECIDING)),
    st.sampled_from([1 / 64, 1 / 4, 1.0, 4.0, 64.0]),
)
def test_no_measurement_overturns_a_need_one_framework_alone_meets(
    values: dict[str, Any], requirement: str, factor: float
) -> None:
    values = dict(values, requirements=[requirement])
    rec = recommend(knowledge(), Answers(values, "test"), _comparison(factor))
    assert rec.winner == DECIDING[requirement], (rec.totals, rec.decisive)
    assert rec.decisive[0].startswith("Required: ")


def _tied(run: BenchmarkRun) -> BenchmarkRun:
    """TensorFlow's training cases given PyTorch's eager samples: the ratio is exactly 1."""
    torch = next(s for s in run.suites if s.framework == "torch")
    eager = {c.workload: c for c in torch.cases if c.variant == "eager"}
    suites = tuple(
        replace(
            s,
            cases=tuple(
                replace(
                    c,
                    samples_s=eager[c.workload].samples_s,
                    stats=eager[c.workload].stats,
                    work_per_iteration=eager[c.workload].work_per_iteration,
                )
                if c.workload in ("mlp_train", "cnn_train") and c.variant == "function"
                else c
                for c in s.cases
            ),
        )
        if s.framework == "tensorflow"
        else s
        for s in run.suites
    )
    return replace(run, suites=suites)


def _without_training(run: BenchmarkRun) -> BenchmarkRun:
    suites = tuple(
        replace(
            s,
            cases=tuple(
                c
                for c in s.cases
                if not (c.workload in ("mlp_train", "cnn_train") and c.variant == "function")
            ),
        )
        if s.framework == "tensorflow"
        else s
        for s in run.suites
    )
    return replace(run, suites=suites)


TIED = compare(_tied(RUN))
UNMEASURED = compare(_without_training(RUN))


@settings(max_examples=60, deadline=None)
@given(answers_strategy())
def test_a_ratio_whose_interval_holds_one_never_moves_the_margin(values: dict[str, Any]) -> None:
    answers = Answers(values, "test")
    tied = recommend(knowledge(), answers, TIED)
    for row in tied.criteria:  # absent where the answers give measurements no weight
        if row.criterion.id == "measured_training":
            assert row.weight == 0 and row.torch == row.tensorflow
            assert "a tie" in (row.evidence or "")
    absent = recommend(knowledge(), answers, UNMEASURED)
    assert tied.totals["torch"] - tied.totals["tensorflow"] == (
        absent.totals["torch"] - absent.totals["tensorflow"]
    )


@settings(max_examples=100, deadline=None)
@given(answers_strategy(), st.sampled_from([None, "cpu", "cuda"]))
def test_importance_zero_zeroes_every_measured_weight(
    values: dict[str, Any], device: str | None
) -> None:
    values = dict(values, performance_priority=0)
    weights = raw_weights(knowledge(), Answers(values, "test"), device)
    measured = [c.id for c in knowledge().criteria if c.kind == "measured"]
    assert measured and all(weights[key] == 0 for key in measured)


def test_the_tie_example_really_is_a_weightless_tie() -> None:
    answers = Answers(dict(_defaults(), hardware=["cpu_only"]), "test")
    row = next(
        r
        for r in recommend(knowledge(), answers, TIED).criteria
        if r.criterion.id == "measured_training"
    )
    assert row.weight == 0 and row.torch == row.tensorflow == 10
    assert row.evidence is not None and ": a tie (95% CI: " in row.evidence
    assert row.evidence.endswith("; weighs nothing")


def _defaults() -> dict[str, Any]:
    return {q.id: q.default for q in knowledge().questions}
