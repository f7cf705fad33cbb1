"""What a run should take, said before it starts: the priors, then this machine's own runs."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from advisor.base.progress import Tracker
from advisor.base.step_times import last_corrections, remember
from advisor.probing.inventory import PROBE_RUN, probe_steps, take_inventory
from advisor.wording.durations import expected_bench, expected_deploy, expected_probe
from advisor.wording.formatting import duration_words
from tests import helpers


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_first_probe_is_said_as_it_took_on_a_cold_two_core_machine() -> None:
    # 10-12 s measured (issue 25), where the app said "about 5 s" and "a few seconds".
    expected = expected_probe()
    assert expected.known and expected.low_s == pytest.approx(0.3 + 2 * 5.0, abs=0.1)
    assert duration_words(expected.low_s, expected.high_s) == "about 10 s"


def test_the_next_probe_is_said_as_this_machines_last_one_took() -> None:
    clock = Clock()
    tracker = Tracker(probe_steps([helpers.spec("torch"), helpers.spec("tensorflow")]), clock)
    for step, seconds in (("machine", 0.3), ("torch", 12.0), ("tensorflow", 12.0)):
        clock.now += seconds
        tracker.finish(step)
    remember(PROBE_RUN, tracker)
    assert expected_probe().low_s == pytest.approx(0.3 + 2 * 12.0, abs=0.1)


def test_a_probe_keeps_its_step_times_for_the_next_one(tmp_path: Path) -> None:
    slow = tmp_path / "slow.py"  # a probe that fails after a while still took its time
    slow.write_text("import sys, time\ntime.sleep(0.5)\nsys.exit(3)\n")
    assert last_corrections(PROBE_RUN) == {}
    take_inventory(sys.executable, specs=[helpers.spec("torch", slow)])
    assert set(last_corrections(PROBE_RUN)) == {"machine", "framework"}


def test_a_deployment_inventory_leaves_the_probes_history_alone() -> None:
    take_inventory(sys.executable, specs=[])  # what a deployment run does first
    assert last_corrections(PROBE_RUN) == {}


def test_a_first_benchmark_is_a_range_and_a_later_one_a_figure() -> None:
    record = helpers.record()
    first = expected_bench("quick", record)
    assert not first.known and first.high_s > 1.5 * first.low_s
    assert expected_bench("full", record).low_s > first.high_s  # larger, and longer
    remember("bench cpu", _every_kind_took(2.5))  # the middle of the first run's range
    later = expected_bench("quick", record)
    assert later.known and first.low_s < later.low_s < first.high_s


def test_a_first_benchmark_counts_the_imports_as_the_probe_timed_them() -> None:
    record = helpers.record()
    slower = replace(  # each framework took 10 s longer to probe (import) here
        record,
        frameworks=tuple(replace(p, duration_s=p.duration_s + 10) for p in record.frameworks),
    )
    first, slow = expected_bench("quick", record), expected_bench("quick", slower)
    # The run's probes import both frameworks (its suites run in the same processes):
    # 20 s more at either end, not 20 s times a factor.
    assert slow.low_s - first.low_s == pytest.approx(20)
    assert slow.high_s - first.high_s == pytest.approx(20)


def _every_kind_took(factor: float) -> Tracker:
    """A quick bench run here whose every kind of step took `factor` times its prior."""
    from advisor.bench.estimate import bench_steps
    from advisor.bench.run import PHASES, build_plan
    from advisor.bench.spec import suite

    quick = suite().presets["quick"]
    plans = {p: build_plan(quick, suite().workloads, None, "cpu", 1, 0, p) for p in PHASES}
    steps = bench_steps(plans, 2, False)  # type: ignore[arg-type]
    clock = Clock()
    tracker = Tracker(steps, clock)
    for step in steps:
        clock.now += step.prior_s * factor
        tracker.finish(step.key)
    return tracker


def test_the_full_deployment_preset_says_what_its_compiles_add() -> None:
    quick, full = expected_deploy("quick", ("server",)), expected_deploy("full", ("server",))
    assert quick.known  # the deployment priors were set from first runs
    # AOTInductor compiles C++ for each of the two models: 10-45 s each.
    assert full.low_s == pytest.approx(quick.low_s + 2 * 10, abs=5)
    assert full.high_s == pytest.approx(quick.low_s + 2 * 45, abs=5)
    assert expected_deploy("full", ("mobile",)).known  # no slow route there
