"""The probe-side timing loop, driven by a fake clock (no real timing)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PROBES = Path(__file__).parents[2] / "probes"


@pytest.fixture(scope="module")
def bench_common() -> ModuleType:
    sys.path.insert(0, str(PROBES))
    try:
        spec = importlib.util.spec_from_file_location("_bench_common", PROBES / "_bench_common.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(PROBES))


class FakeWork:
    """Each call advances a fake clock by the next step (cycling); counts syncs."""

    def __init__(self, steps: list[float]) -> None:
        self.now = 0.0
        self.steps = steps
        self.calls = 0
        self.syncs = 0

    def clock(self) -> float:
        return self.now

    def run_once(self) -> None:
        self.now += self.steps[self.calls % len(self.steps)]
        self.calls += 1

    def sync(self) -> None:
        self.syncs += 1


BUDGET: dict[str, Any] = {
    "warmup": 2,
    "min_sample_s": 0.01,
    "min_repeats": 5,
    "max_repeats": 50,
    "budget_s": 1.0,
    "target_cv": 0.03,
}


def test_block_length_is_calibrated_to_the_minimum_sample_time(bench_common: ModuleType) -> None:
    work = FakeWork([0.004])
    result = bench_common.measure(work.run_once, work.sync, BUDGET, clock=work.clock)
    # 1 x 4 ms and 2 x 4 ms are under 10 ms; 4 x 4 ms is the first block long enough.
    assert result["inner_iterations"] == 4
    assert result["warmup_iterations"] == 2
    assert result["samples_s"] == pytest.approx([0.004] * 5)


def test_steady_timings_stop_at_the_minimum_repeats(bench_common: ModuleType) -> None:
    work = FakeWork([0.02])
    result = bench_common.measure(work.run_once, work.sync, BUDGET, clock=work.clock)
    assert len(result["samples_s"]) == 5
    # warm-up, one calibration block and five timed blocks each end with a sync
    assert work.syncs == 1 + 1 + 5


def test_noisy_timings_stop_at_the_time_budget(bench_common: ModuleType) -> None:
    work = FakeWork([0.02, 0.06])
    result = bench_common.measure(work.run_once, work.sync, BUDGET, clock=work.clock)
    elapsed = sum(result["samples_s"]) * result["inner_iterations"]
    assert elapsed >= BUDGET["budget_s"]
    assert elapsed < BUDGET["budget_s"] + 0.1
    assert len(result["samples_s"]) < BUDGET["max_repeats"]


def test_repeats_are_capped(bench_common: ModuleType) -> None:
    work = FakeWork([0.02, 0.06])
    budget = dict(BUDGET, budget_s=100.0, max_repeats=12)
    result = bench_common.measure(work.run_once, work.sync, budget, clock=work.clock)
    assert len(result["samples_s"]) == 12


def test_first_call_is_timed_alone(bench_common: ModuleType) -> None:
    work = FakeWork([5.0, 0.01])
    assert bench_common.time_first_call(work.run_once, work.sync, clock=work.clock) == 5.0
    assert work.syncs == 1


def test_each_workload_has_its_own_reproducible_generator(bench_common: ModuleType) -> None:
    first = bench_common.workload_rng(7, "matmul").standard_normal(4)
    again = bench_common.workload_rng(7, "matmul").standard_normal(4)
    other = bench_common.workload_rng(7, "conv2d").standard_normal(4)
    assert (first == again).all()
    assert not (first == other).all()
