"""The probe-side timing loop, driven by a fake clock (no real timing)."""

from __future__ import annotations

import importlib.util
import platform
import subprocess
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
    "cv_min_repeats": 5,
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
    # the warm-up and five timed blocks each end with a sync: the calibration's block,
    # one iteration long enough, is the first of the five
    assert work.syncs == 1 + 5
    assert work.calls == BUDGET["warmup"] + 5


def test_the_calibrations_last_block_is_the_first_sample(bench_common: ModuleType) -> None:
    work = FakeWork([0.004] * 3 + [0.003] * 4 + [0.002] * 4)
    budget = dict(BUDGET, warmup=0, min_repeats=2, cv_min_repeats=2, target_cv=1.0)
    result = bench_common.measure(work.run_once, work.sync, budget, clock=work.clock)
    # Blocks of 1 and 2 iterations (4 ms, 8 ms) are too short; the block of 4 (3 ms
    # each) is long enough and is the first sample, the next block of 4 the second.
    assert result["inner_iterations"] == 4
    assert result["samples_s"] == pytest.approx([0.003, 0.002])
    assert work.calls == 1 + 2 + 4 + 4


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


def test_dispersion_is_judged_over_the_earlier_passes_too(bench_common: ModuleType) -> None:
    budget = dict(BUDGET, min_repeats=2, cv_min_repeats=10)
    # Two agreeing samples of a first pass are not enough to stop on dispersion...
    work = FakeWork([0.02])
    first = bench_common.measure(work.run_once, work.sync, budget, clock=work.clock)
    assert len(first["samples_s"]) == 10
    # ...but with eight steady samples from earlier passes, two more are.
    work = FakeWork([0.02])
    later = bench_common.measure(
        work.run_once, work.sync, budget, clock=work.clock, inner=1, earlier=[0.02] * 8
    )
    assert len(later["samples_s"]) == 2
    # Earlier passes that disagree keep this one sampling until its time budget.
    work = FakeWork([0.02])
    disagreeing = bench_common.measure(
        work.run_once, work.sync, budget, clock=work.clock, inner=1, earlier=[0.03, 0.01] * 4
    )
    elapsed = sum(disagreeing["samples_s"])
    assert elapsed >= budget["budget_s"] and len(disagreeing["samples_s"]) == 50


def test_a_block_longer_than_the_whole_budget_ends_its_pass(bench_common: ModuleType) -> None:
    budget = dict(BUDGET, budget_s=0.13, min_repeats=2, cv_min_repeats=10)
    # A first pass: the calibration's block and one more, each over the budget alone.
    first_work = FakeWork([0.5])
    first = bench_common.measure(
        first_work.run_once, first_work.sync, budget, clock=first_work.clock
    )
    assert first["samples_s"] == pytest.approx([0.5, 0.5])
    # A later pass: one block is the pass; a shorter block keeps the pass's minimum.
    work = FakeWork([0.5])
    later = bench_common.measure(
        work.run_once, work.sync, budget, clock=work.clock, inner=1, earlier=[0.5, 0.5]
    )
    assert later["samples_s"] == pytest.approx([0.5])
    short_work = FakeWork([0.1])
    short = bench_common.measure(
        short_work.run_once, short_work.sync, budget, clock=short_work.clock, inner=1, earlier=[0.1]
    )
    assert len(short["samples_s"]) == 2


def test_later_passes_skip_the_warm_up_only_for_long_iterations(bench_common: ModuleType) -> None:
    long_work = FakeWork([0.5])
    long = bench_common.measure(
        long_work.run_once, long_work.sync, BUDGET, clock=long_work.clock, inner=1, earlier=[0.5]
    )
    assert long["warmup_iterations"] == 0
    assert long_work.calls == len(long["samples_s"])
    short_work = FakeWork([0.02])
    short = bench_common.measure(
        short_work.run_once,
        short_work.sync,
        BUDGET,
        clock=short_work.clock,
        inner=1,
        earlier=[0.02],
    )
    assert short["warmup_iterations"] == BUDGET["warmup"]
    assert short_work.calls == BUDGET["warmup"] + len(short["samples_s"])


def test_the_allocator_is_fixed_before_the_framework_loads() -> None:
    # In a child: mallopt changes the whole process.
    code = (
        f"import sys; sys.path.insert(0, {str(PROBES)!r}); "
        "import _bench_common; print(_bench_common.steady_allocator())"
    )
    said = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert said == "glibc mmap/trim thresholds fixed at 256/512 MiB"
    else:
        assert said.startswith("system default")


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
