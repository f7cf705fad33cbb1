"""Statistics of timed samples, and figures in each workload's unit."""

from __future__ import annotations

import pytest

from advisor.bench.stats import figure, speed_ratio, summarise
from advisor.record import CaseResult, WorkloadInfo

THROUGHPUT = WorkloadInfo("mlp_train", "MLP", "throughput", "samples/s", "items", {})
FLOPS = WorkloadInfo("matmul", "Matmul", "throughput", "GFLOP/s", "flops", {})
LATENCY = WorkloadInfo("transformer_b1", "Latency", "latency", "ms", "items", {})


def _case(samples: list[float], work: float) -> CaseResult:
    return CaseResult(
        "w",
        "eager",
        "float32",
        "ok",
        samples_s=tuple(samples),
        work_per_iteration=work,
        stats=summarise(samples),
    )


def test_summary_of_one_to_ten() -> None:
    # Hand-computed: inclusive deciles of 1..10 are 1.9 and 9.1; sample stdev is 3.02765.
    stats = summarise([float(v) for v in range(1, 11)])
    assert stats.median_s == 5.5
    assert stats.p10_s == pytest.approx(1.9)
    assert stats.p90_s == pytest.approx(9.1)
    assert stats.cv == pytest.approx(3.0276503540974917 / 5.5)
    assert stats.samples == 10
    assert stats.noisy


def test_tight_samples_are_not_noisy() -> None:
    stats = summarise([0.010, 0.0101, 0.0099, 0.0100])
    assert stats.cv < 0.01
    assert not stats.noisy


def test_the_noise_threshold_is_ten_percent() -> None:
    # mean 1.0; sample stdev 0.09 (cv 9%) is fine, 0.11 (cv 11%) is noisy.
    assert not summarise([0.91, 1.0, 1.09]).noisy
    assert summarise([0.89, 1.0, 1.11]).noisy


def test_a_spread_needs_two_samples() -> None:
    with pytest.raises(ValueError, match="at least two samples"):
        summarise([1.0])


def test_throughput_figure_and_its_spread() -> None:
    case = _case([0.01, 0.01, 0.02, 0.01, 0.01], work=128)
    value, low, high = figure(case, THROUGHPUT)
    assert value == pytest.approx(12800)
    assert low == pytest.approx(128 / case.stats.p90_s)  # type: ignore[union-attr]
    assert high == pytest.approx(12800)
    assert low < value


def test_flops_are_shown_as_gflops() -> None:
    value, _, _ = figure(_case([0.01, 0.01], work=2e9), FLOPS)
    assert value == pytest.approx(200.0)


def test_latency_is_milliseconds_per_call() -> None:
    value, low, high = figure(_case([0.002, 0.004, 0.003], work=1), LATENCY)
    assert value == pytest.approx(3.0)
    assert low < value < high


def test_speed_ratio_compares_work_per_second() -> None:
    fast = _case([0.01, 0.01], work=100)
    slow = _case([0.04, 0.04], work=100)
    assert speed_ratio(fast, slow) == pytest.approx(4.0)
    assert speed_ratio(slow, fast) == pytest.approx(0.25)
