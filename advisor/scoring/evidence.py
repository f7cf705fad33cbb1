"""Scores for the measured criteria, from one run's comparison, on a bounded log scale.

A speed ratio becomes a score gap of GAP_PER_DOUBLING points for every doubling,
capped at MAX_GAP: 1.25x is 0.6 points, 2x is 2 points, 4x and beyond are 4 points.
Two frameworks a few percent apart are alike for any project; one twice as fast is a
real difference; but a thirty-fold gap on one micro-benchmark is not fifteen times
more telling than a two-fold one, and must not outvote the needs a project states.
A ratio whose uncertainty interval holds 1.0 is a tie: both score 10, and the
criterion is shown with no weight, so a measurement that cannot tell the frameworks
apart neither moves nor dilutes the margin.
A pair measured on a busy machine (machine/load.py) is left out, and the evidence names
it: other work skews the ratio (PyTorch's eager CPU path slows several-fold, TensorFlow
much less), a bias no interval shows. A criterion whose every pair was busy has no figure,
nor has the first compiled call where the machine was busy while it was timed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.bench.spec import MetricSpec, suite
from advisor.comparison import (
    PAIR_LABELS,
    Comparison,
    ComparisonRow,
    busy_share,
    ratio_text,
    ratio_words,
)
from advisor.machine.load import busy_words, is_busy
from advisor.record import BenchmarkRun

GAP_PER_DOUBLING = 2.0
MAX_GAP = 4.0


@dataclass(frozen=True)
class Measured:
    """A measured criterion's scores, the spread of their difference, or why there are none."""

    torch: float | None
    tensorflow: float | None
    evidence: str
    # (lowest, highest) PyTorch-minus-TensorFlow score difference over the ratio's
    # interval; None where the figure has no interval (first-call and start-up costs).
    spread: tuple[float, float] | None = None
    tie: bool = False  # the ratio's interval holds 1.0: shown, but it weighs nothing


def score_gap(ratio: float) -> float:
    """Points between the faster and the slower framework for a speed ratio (either way)."""
    return min(MAX_GAP, GAP_PER_DOUBLING * abs(math.log2(ratio)))


def scores_from_ratio(ratio: float) -> tuple[float, float]:
    """PyTorch's advantage (>1: PyTorch faster) as (PyTorch, TensorFlow) scores, bounded."""
    gap = score_gap(ratio)
    return (10.0, 10.0 - gap) if ratio >= 1 else (10.0 - gap, 10.0)


def _difference(ratio: float) -> float:
    torch, tensorflow = scores_from_ratio(ratio)
    return torch - tensorflow


def _geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _from_rows(rows: list[ComparisonRow], spec: MetricSpec) -> Measured:
    label = PAIR_LABELS.get(spec.pair, spec.pair)  # type: ignore[call-overload]
    picked = [r for r in rows if r.workload.id in spec.workloads and r.pair == spec.pair]
    figures = [r for r in picked if r.ratio is not None and r.interval is not None]
    measured = [r for r in figures if not is_busy(r.busy)]
    busy = _left_out([r for r in figures if is_busy(r.busy)])
    if not measured:
        reasons = {r.torch.reason or r.tensorflow.reason for r in picked} - {None}
        why = "; ".join(sorted(str(reason) for reason in reasons)) or "not measured in this run"
        if busy:
            return Measured(None, None, f"no {label} figure from a quiet machine{busy}")
        return Measured(None, None, f"no {label} figure for both frameworks ({why})")
    ratio = _geometric_mean([r.ratio for r in measured if r.ratio is not None])
    low = _geometric_mean([r.interval[0] for r in measured if r.interval is not None])
    high = _geometric_mean([r.interval[1] for r in measured if r.interval is not None])
    parts = ", ".join(f"{r.workload.id} {ratio_text(r.ratio or 0.0)}x" for r in measured)
    text = f"{label}: {ratio_words(ratio, (low, high))} (PyTorch/TensorFlow: {parts}){busy}"
    if low <= 1.0 <= high:
        return Measured(10.0, 10.0, f"{text}; weighs nothing", (0.0, 0.0), True)
    torch, tensorflow = scores_from_ratio(ratio)
    return Measured(torch, tensorflow, text, (_difference(low), _difference(high)))


def _left_out(rows: list[ComparisonRow]) -> str:
    """'; left out, ...' naming each pair measured on a busy machine; '' without one."""
    named = "; ".join(
        f"{r.workload.id} {ratio_text(r.ratio or 0.0)}x, {busy_words(r.busy or 0.0)}" for r in rows
    )
    return f"; left out of the advice: {named}" if named else ""


def _compile_cost(comparison: Comparison, spec: MetricSpec) -> Measured:
    variants = {"torch": "compile", "tensorflow": "xla"}
    costs: dict[str, list[float]] = {"torch": [], "tensorflow": []}
    for row in comparison.compile_rows:
        wanted = row.workload.id in spec.workloads and row.variant == variants[row.framework]
        if wanted and row.first_call_s:
            costs[row.framework].append(row.first_call_s)
    if not costs["torch"] or not costs["tensorflow"]:
        return Measured(None, None, "no first-call time for both frameworks' compiled step")
    torch_cost, tf_cost = min(costs["torch"]), min(costs["tensorflow"])
    text = (
        f"first fully compiled step: torch.compile {torch_cost:.2f} s, "
        f"XLA {tf_cost:.2f} s (one cold call each)"
    )
    # the first calls are timed while the compiled phase prepares its workloads
    busy = busy_share(comparison.run, "prepare", spec.workloads, tuple(variants.values()))
    if is_busy(busy):
        return Measured(None, None, f"{text}; left out of the advice: {busy_words(busy)}")
    return Measured(*scores_from_ratio(tf_cost / torch_cost), text)


def _footprint(run: BenchmarkRun) -> Measured:
    suites = {s.framework: s for s in run.suites}
    torch, tf = suites.get("torch"), suites.get("tensorflow")
    if not (torch and tf and torch.import_time_s and tf.import_time_s):
        return Measured(None, None, "no import time for both frameworks")
    if not (torch.rss_after_import_bytes and tf.rss_after_import_bytes):
        return Measured(None, None, "no memory figure for both frameworks")
    ratio = math.sqrt(
        tf.import_time_s
        / torch.import_time_s
        * tf.rss_after_import_bytes
        / torch.rss_after_import_bytes
    )
    text = (
        f"import PyTorch {torch.import_time_s:.2f} s / {torch.rss_after_import_bytes >> 20} MiB, "
        f"TensorFlow {tf.import_time_s:.2f} s / {tf.rss_after_import_bytes >> 20} MiB"
    )
    return Measured(*scores_from_ratio(ratio), text)


def measured_scores(comparison: Comparison | None) -> dict[str, Measured]:
    """Every measured metric's scores from the comparison; without one, each says so."""
    metrics = suite().metrics
    if comparison is None:
        return {name: Measured(None, None, "no benchmark results") for name in metrics}
    scores = {}
    for name, spec in metrics.items():
        if name == "footprint":
            scores[name] = _footprint(comparison.run)
        elif name == "compile_cost":
            scores[name] = _compile_cost(comparison, spec)
        else:
            scores[name] = _from_rows(list(comparison.rows), spec)
    return scores
