"""The scoring arithmetic: hand-computed golden cases and properties (hypothesis)."""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from advisor.comparison import compare
from advisor.record import record_from_json
from advisor.scoring.answers import Answers, default_answers, load_answers
from advisor.scoring.engine import Missing, Recommendation, could_flip, recommend
from advisor.scoring.evidence import measured_scores, scores_from_ratio
from advisor.scoring.knowledge import Criterion, Knowledge, Score, knowledge
from advisor.scoring.profiles import profile_names, profile_path
from tests.helpers import FIXTURES

NO_ANSWERS = Answers({}, "test")


def _criterion(index: int, weight: float, torch: float, tensorflow: float) -> Criterion:
    return Criterion(
        f"c{index}",
        "api",
        f"Criterion {index}",
        "d",
        "static",
        weight,
        "src",
        "2026-11-26",
        Score(torch, f"torch {index}"),
        Score(tensorflow, f"tensorflow {index}"),
    )


def _knowledge(*rows: tuple[float, float, float]) -> Knowledge:
    return Knowledge({"api": "API"}, tuple(_criterion(i, *row) for i, row in enumerate(rows)), ())


def _score(*rows: tuple[float, float, float]) -> Recommendation:
    return recommend(_knowledge(*rows), NO_ANSWERS, None)


def test_golden_two_criteria() -> None:
    # weights 1 and 3 -> 0.25 and 0.75
    # PyTorch    = 0.25*8 + 0.75*5 = 5.75;  TensorFlow = 0.25*4 + 0.75*9 = 7.75
    rec = _score((1.0, 8, 4), (3.0, 5, 9))
    assert rec.totals["torch"] == pytest.approx(5.75)
    assert rec.totals["tensorflow"] == pytest.approx(7.75)
    assert rec.winner == "tensorflow"
    assert rec.margin == pytest.approx(2.0)
    contributions = {r.criterion.id: r.contribution for r in rec.criteria}
    assert contributions == pytest.approx({"c0": 1.0, "c1": -3.0})
    # c0 at 3x its weight ties (3*4 = 3*4); c1 at a third of its weight ties.
    flips = {f.criterion.id: f.factor for f in rec.flips}
    assert flips["c0"] == pytest.approx(3.0)
    assert flips["c1"] == pytest.approx(1 / 3)
    assert rec.decisive[0].startswith("Criterion 1 (PyTorch 5.0 vs TensorFlow 9.0, weight 75%)")
    # The strongest pull the other way is named too, with the loser's rationale.
    assert rec.against == (
        "Criterion 0 favours PyTorch (PyTorch 8.0 vs TensorFlow 4.0, weight 25%): torch 0"
    )


def test_nothing_is_said_against_a_winner_that_leads_everywhere() -> None:
    assert _score((1.0, 8, 4), (3.0, 9, 5)).against is None


def test_golden_criterion_that_cannot_flip_within_ten_times() -> None:
    # c1 alone decides: c0 would need 0.9*2 / (0.1*1) = 18x to tie.
    rec = _score((0.1, 6, 5), (0.9, 3, 5))
    flips = {f.criterion.id: f.factor for f in rec.flips}
    assert flips["c0"] is None
    assert flips["c1"] == pytest.approx(0.1 / 1.8)


def test_static_criteria_alone_can_be_clear() -> None:
    rec = _score((1.0, 9, 1))
    assert rec.static_only
    assert rec.confidence == "clear"  # margin 8 and robust: no measurement is needed


scores = st.integers(min_value=0, max_value=10).map(float)
weights = st.sampled_from([0.1, 0.25, 0.5, 1.0, 2.0, 3.0])
criteria_rows = st.lists(st.tuples(weights, scores, scores), min_size=1, max_size=8)


@given(criteria_rows)
def test_totals_stay_within_the_score_range(rows: list[tuple[float, float, float]]) -> None:
    rec = _score(*rows)
    for total in rec.totals.values():
        assert -1e-9 <= total <= 10 + 1e-9


@given(criteria_rows)
def test_a_framework_at_least_as_good_everywhere_never_loses(
    rows: list[tuple[float, float, float]],
) -> None:
    dominant = [(w, max(t, f), min(t, f)) for w, t, f in rows]
    assert _score(*dominant).winner in ("torch", "tie")


@given(criteria_rows, st.sampled_from([0.01, 0.5, 3.0, 1000.0]))
def test_scaling_every_weight_changes_nothing(
    rows: list[tuple[float, float, float]], factor: float
) -> None:
    before = _score(*rows)
    after = _score(*[(w * factor, t, f) for w, t, f in rows])
    assert after.winner == before.winner
    assert after.totals == pytest.approx(before.totals)


@settings(max_examples=200)
@given(criteria_rows)
def test_just_past_a_flip_factor_flips_and_just_before_does_not(
    rows: list[tuple[float, float, float]],
) -> None:
    rec = _score(*rows)
    assume(rec.winner != "tie" and rec.margin > 1e-6)
    for flip in rec.flips:
        if flip.factor is None:
            continue
        index = int(flip.criterion.id[1:])
        past, before = (1.001, 0.999) if flip.factor > 1 else (0.999, 1.001)
        for multiplier, flips in ((past, True), (before, False)):
            changed = list(rows)
            w, t, f = rows[index]
            changed[index] = (w * flip.factor * multiplier, t, f)
            outcome = _score(*changed).winner
            assert (outcome != rec.winner) == flips, (flip, multiplier, outcome)


def test_question_order_does_not_matter() -> None:
    known = knowledge()
    answers = load_answers(profile_path("tensorflow_enterprise"), known)
    shuffled = list(known.questions)
    random.Random(7).shuffle(shuffled)
    first = recommend(known, answers, None)
    second = recommend(replace(known, questions=tuple(shuffled)), answers, None)
    assert second.totals == pytest.approx(first.totals)
    assert second.winner == first.winner


def test_at_least_six_profiles_ship() -> None:
    assert len(profile_names()) >= 6


def test_robustness_is_seeded_and_a_share() -> None:
    known = knowledge()
    first = recommend(known, default_answers(known), None, seed=3)
    again = recommend(known, default_answers(known), None, seed=3)
    assert first.robustness == again.robustness
    assert 0.0 <= first.robustness <= 1.0


RUN = record_from_json((FIXTURES / "records" / "bench_tiny_cpu.json").read_text()).benchmarks
assert RUN is not None
COMPARISON = compare(RUN)


def _rate(framework: str, workload: str, variant: str) -> float:
    assert RUN is not None
    suite = next(s for s in RUN.suites if s.framework == framework)
    case = next(c for c in suite.cases if (c.workload, c.variant) == (workload, variant))
    return case.work_per_iteration / statistics.median(case.samples_s)


def test_measured_training_compares_pytorch_eager_with_tensorflow_graph_mode() -> None:
    ratio = math.sqrt(
        _rate("torch", "mlp_train", "eager")
        / _rate("tensorflow", "mlp_train", "function")
        * _rate("torch", "cnn_train", "eager")
        / _rate("tensorflow", "cnn_train", "function")
    )
    measured = measured_scores(COMPARISON)["training"]
    assert measured.evidence.startswith("as you would write it: ")
    if measured.tie:
        assert "a tie (95% CI: " in measured.evidence
    elif ratio > 1:
        assert f"PyTorch {ratio:.2f}x faster (95% CI " in measured.evidence
    else:
        assert f"TensorFlow {1 / ratio:.2f}x faster (95% CI " in measured.evidence
    if not measured.tie:
        assert (measured.torch, measured.tensorflow) == pytest.approx(scores_from_ratio(ratio))


@pytest.mark.parametrize(
    ("ratio", "scores"),
    [
        (1.0, (10.0, 10.0)),
        (2.0, (10.0, 8.0)),  # one doubling: 2 points
        (0.5, (8.0, 10.0)),
        (4.0, (10.0, 6.0)),  # two doublings: the cap
        (30.0, (10.0, 6.0)),  # thirty-fold counts no more than four-fold
        (1 / 30, (6.0, 10.0)),
    ],
)
def test_speed_ratios_map_to_bounded_score_gaps(ratio: float, scores: tuple[float, float]) -> None:
    assert scores_from_ratio(ratio) == pytest.approx(scores)


def test_without_a_run_every_measured_criterion_is_missing_with_a_reason() -> None:
    for measured in measured_scores(None).values():
        assert measured.torch is None and measured.evidence == "no benchmark results"


def test_with_results_the_measured_criteria_count_and_show_their_evidence() -> None:
    known = knowledge()
    answers = Answers(dict(default_answers(known).values, hardware=["cpu_only"]), "test")
    rec = recommend(known, answers, COMPARISON)
    assert not rec.static_only
    measured = [r for r in rec.criteria if r.criterion.kind == "measured"]
    assert {r.criterion.metric for r in measured} >= {"training", "inference", "dynamic"}
    assert all(r.evidence for r in measured)
    assert rec.relevance == {"training": 1.0, "inference": 1.0}
    assert rec.warnings == ()


def test_a_run_on_another_device_counts_little_and_says_how_to_measure_the_target() -> None:
    known = knowledge()
    answers = Answers(dict(default_answers(known).values, hardware=["nvidia"]), "test")
    on_target = Answers(dict(answers.values, hardware=["cpu_only"]), "test")
    far = {r.criterion.id: r.weight for r in recommend(known, answers, COMPARISON).criteria}
    near = {r.criterion.id: r.weight for r in recommend(known, on_target, COMPARISON).criteria}
    assert far["measured_inference"] < near["measured_inference"] / 3
    warning = recommend(known, answers, COMPARISON).warnings[0]
    assert warning.startswith("Measured on a CPU")
    assert "framework-advisor bench" in warning and "--results" in warning


def test_defaults_alone_are_never_clear() -> None:
    known = knowledge()
    rec = recommend(known, default_answers(known), COMPARISON)
    assert rec.rests_on_defaults
    assert rec.confidence != "clear"
    assert any("built-in defaults" in reason for reason in rec.confidence_reasons)


def test_missing_measurements_count_alone_and_together_against_the_winner() -> None:
    (row,) = _score((1.0, 5.2, 5.0)).criteria  # margin 0.2 towards PyTorch
    measured = replace(row.criterion, kind="measured", metric="training")
    small = Missing(measured, 0.03, "not measured")  # at most 0.03 x 4 = 0.12 points
    assert not could_flip([row], [small])
    assert could_flip([row], [small, small])  # 0.24 points together: enough to flip
    assert could_flip([row], [Missing(measured, 0.06, "not measured")])  # 0.24 points alone
