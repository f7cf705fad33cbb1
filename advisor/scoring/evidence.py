"""Scores for the measured criteria, from a benchmark run on this machine."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.bench.compare import ComparisonRow, comparison_rows, compile_rows
from advisor.record import BenchmarkRun

_ROWS = {
    "training": (("mlp_train", "eager"), ("cnn_train", "eager")),
    "inference": (("transformer_b1", "eager"), ("transformer_b32", "eager")),
    "compiled": (
        ("mlp_train", "compiled"),
        ("cnn_train", "compiled"),
        ("transformer_b1", "compiled"),
        ("transformer_b32", "compiled"),
    ),
    "dynamic": (("lstm", "eager"),),
    "input_pipeline": (("input_pipeline", "eager"),),
}


@dataclass(frozen=True)
class Measured:
    """A measured criterion's scores, or why there are none."""

    torch: float | None
    tensorflow: float | None
    evidence: str


def scores_from_ratio(ratio: float) -> tuple[float, float]:
    """PyTorch's advantage (>1: PyTorch better) as scores: the better gets 10, the other 10/x."""
    return (10.0, 10.0 / ratio) if ratio >= 1 else (10.0 * ratio, 10.0)


def _geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _from_rows(rows: list[ComparisonRow], wanted: tuple[tuple[str, str], ...]) -> Measured:
    picked = [r for r in rows if (r.workload.id, r.mode) in wanted and r.dtype == "float32"]
    ratios = [r.ratio for r in picked if r.ratio is not None]
    if not ratios:
        reasons = {r.torch.reason or r.tensorflow.reason for r in picked} - {None}
        why = "; ".join(sorted(str(reason) for reason in reasons)) or "not measured in this run"
        return Measured(None, None, f"no figure for both frameworks ({why})")
    ratio = _geometric_mean(ratios)
    parts = ", ".join(f"{r.workload.id} {r.mode} {r.ratio:.2f}x" for r in picked if r.ratio)
    torch, tensorflow = scores_from_ratio(ratio)
    return Measured(torch, tensorflow, f"PyTorch/TensorFlow speed {ratio:.2f}x ({parts})")


def _compile_cost(run: BenchmarkRun) -> Measured:
    costs: dict[str, list[float]] = {"torch": [], "tensorflow": []}
    for row in compile_rows(run):
        if row.first_call_s and row.workload.id == "mlp_train":
            costs[row.framework].append(row.first_call_s)
    if not costs["torch"] or not costs["tensorflow"]:
        return Measured(None, None, "no first-call time for both frameworks' compiled MLP step")
    torch_cost, tf_cost = min(costs["torch"]), min(costs["tensorflow"])
    scores = scores_from_ratio(tf_cost / torch_cost)
    text = f"first compiled MLP step: PyTorch {torch_cost:.2f} s, TensorFlow {tf_cost:.2f} s"
    return Measured(*scores, text)


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


def measured_scores(run: BenchmarkRun | None) -> dict[str, Measured]:
    """Every measured metric's scores from the run; without a run, each says so."""
    metrics = (*_ROWS, "compile_cost", "footprint")
    if run is None:
        return {metric: Measured(None, None, "no benchmark results") for metric in metrics}
    rows = comparison_rows(run)
    scores = {metric: _from_rows(rows, wanted) for metric, wanted in _ROWS.items()}
    scores["compile_cost"] = _compile_cost(run)
    scores["footprint"] = _footprint(run)
    return scores
