"""Statistics of timed samples: median, p10-p90 spread, coefficient of variation, noise flag."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from advisor.record import CaseResult, Statistics, WorkloadInfo

NOISE_THRESHOLD_CV = 0.10


def summarise(samples_s: Sequence[float], noise_cv: float = NOISE_THRESHOLD_CV) -> Statistics:
    """Summary of per-iteration times; needs at least two samples."""
    if len(samples_s) < 2:
        raise ValueError("a spread needs at least two samples")
    deciles = statistics.quantiles(samples_s, n=10, method="inclusive")
    mean = statistics.fmean(samples_s)
    cv = statistics.stdev(samples_s) / mean if mean > 0 else float("inf")
    return Statistics(
        median_s=statistics.median(samples_s),
        p10_s=deciles[0],
        p90_s=deciles[-1],
        cv=cv,
        samples=len(samples_s),
        noisy=cv > noise_cv,
    )


def figure(case: CaseResult, workload: WorkloadInfo) -> tuple[float, float, float]:
    """(value, low, high) in the workload's unit: throughput per second, or milliseconds.

    low/high come from the p90/p10 times, so the spread reads the same way as the value.
    """
    if case.stats is None:
        raise ValueError(f"{case.workload} {case.variant} has no statistics")
    stats = case.stats
    if workload.metric == "latency":
        return stats.median_s * 1e3, stats.p10_s * 1e3, stats.p90_s * 1e3
    scale = 1e-9 if workload.work == "flops" else 1.0
    work = case.work_per_iteration * scale
    return work / stats.median_s, work / stats.p90_s, work / stats.p10_s


def speed_ratio(first: CaseResult, second: CaseResult) -> float:
    """How many times faster `first` is than `second` (>1: first is faster), per iteration."""
    if first.stats is None or second.stats is None:
        raise ValueError("both cases need statistics")
    first_rate = first.work_per_iteration / first.stats.median_s
    second_rate = second.work_per_iteration / second.stats.median_s
    return first_rate / second_rate
