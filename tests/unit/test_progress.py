"""Time left: priors from the budgets, corrected by the steps that finished."""

from __future__ import annotations

import pytest

from advisor.bench.estimate import (
    COMPILE_PRIOR_S,
    PARITY_STEP,
    SETUP_STEP,
    BenchProgress,
    bench_steps,
)
from advisor.bench.events import BenchEvent
from advisor.bench.lockstep import slots
from advisor.fleet.slurm import TaskClock
from advisor.formatting import time_left
from advisor.progress import Progress, Step, Tracker, side_by_side


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _steps(*priors: float, kind: str = "measure") -> list[Step]:
    return [Step(f"s{i}", f"step {i}", kind, p) for i, p in enumerate(priors)]


def test_until_the_plan_is_known_the_time_left_is_unknown() -> None:
    clock = Clock()
    tracker = Tracker(clock=clock)
    clock.now += 3
    progress = tracker.now("probing the machine")
    assert progress.left_s is None and progress.elapsed_s == 3
    assert progress.step == "probing the machine" and progress.fraction == 0.0
    assert time_left(progress.left_s) == "estimating time left"


def test_steps_that_take_their_prior_leave_the_rest_of_the_priors() -> None:
    clock = Clock()
    tracker = Tracker(_steps(2, 2, 4), clock=clock)
    assert tracker.now().left_s == 8
    clock.now += 2
    progress = tracker.finish("s0")
    assert progress.left_s == 6 and progress.done == 1 and progress.step == "step 1"
    assert progress.fraction == pytest.approx(0.25)
    clock.now += 1  # halfway through the next step
    assert tracker.now().left_s == 5


def test_slow_steps_correct_the_estimate_of_their_own_kind_only() -> None:
    clock = Clock()
    steps = [*_steps(1, 1, 1, 1), Step("c", "compile", "compile", 10)]
    tracker = Tracker(steps, clock=clock)
    for key in ("s0", "s1", "s2"):
        clock.now += 3  # three times the prior
        tracker.finish(key)
    # the last measure step at 3x; the compile step, none of whose kind has finished, at
    # its prior
    assert tracker.now().left_s == pytest.approx(3 + 10)


def test_one_odd_first_step_moves_the_estimate_within_bounds() -> None:
    clock = Clock()
    tracker = Tracker(_steps(1, 1, 1, 1), clock=clock)
    clock.now += 100  # a first step that also warmed every cache
    assert tracker.finish("s0").left_s == pytest.approx(3 * 4.0)


def test_the_last_step_brings_the_run_to_all_done() -> None:
    clock = Clock()
    tracker = Tracker(_steps(1, 1), clock=clock)
    clock.now += 1
    tracker.finish("s0")
    clock.now += 5
    done = tracker.finish("s1")
    assert done.left_s == 0 and done.fraction == 1.0 and done.done == done.total == 2
    assert tracker.finish("s1") == tracker.now()  # a repeated key changes nothing


def test_skipped_steps_no_longer_count() -> None:
    clock = Clock()
    tracker = Tracker(_steps(1, 1, 1), clock=clock)
    tracker.skip(tracker.pending()[1:])
    assert tracker.now().total == 1 and tracker.now().left_s == 1


def test_between_updates_the_time_left_counts_down_and_stops_at_zero() -> None:
    progress = Progress("timing matmul", 1, 4, 10.0, 5.0)
    assert progress.after(2).left_s == 3 and progress.after(2).elapsed_s == 12
    assert progress.after(60).left_s == 0


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.4, "almost done"),
        (7.4, "about 7 s left"),
        (42, "about 40 s left"),
        (60, "about 1 min left"),
        (86, "about 1 min 25 s left"),
    ],
)
def test_time_left_in_words(seconds: float, words: str) -> None:
    assert time_left(seconds) == words


def _plan(phase: str, workloads: int, passes: int = 5, budget_s: float = 0.13) -> dict:
    return {
        "phase": phase,
        "passes": passes,
        "budget": {"budget_s": budget_s},
        "workloads": [{"id": f"w{i}", "dtypes": ["float32"]} for i in range(workloads)],
    }


def test_a_bench_run_has_an_import_step_and_a_step_per_slot_in_each_phase() -> None:
    plans = {"eager": _plan("eager", 3), "compiled": _plan("compiled", 1)}
    steps = bench_steps(plans, [4.0, 6.0], compiler_setup=True)
    assert len(steps) == 2 + 2 + len(slots(3, 5)) + len(slots(1, 5))
    assert len({s.key for s in steps}) == len(steps)
    assert steps[0].prior_s == 10.0 and steps[0].kind == "import"
    # the parity check and the compiler's set-up run while the compiled phase imports
    between = [s.key for s in steps if s.kind in ("parity", "setup", "import")]
    assert between == ["eager import", PARITY_STEP, SETUP_STEP, "compiled import"]
    eager_only = bench_steps({"eager": _plan("eager", 3)}, [4.0], compiler_setup=False)
    assert eager_only[-1].key == PARITY_STEP
    timing = next(s for s in steps if s.key == "eager measure 2 #5")
    assert timing.label == "eager phase: timing w2, pass 5 of 5"
    assert timing.prior_s == pytest.approx(2 * 0.13)  # two frameworks, one pass each
    compiling = next(s for s in steps if s.key == "compiled prepare 0 #1")
    assert compiling.label == "compiled phase: compiling w0"
    assert compiling.prior_s == 2 * COMPILE_PRIOR_S


def test_bench_progress_follows_the_lockstep_and_ends_at_all_done() -> None:
    clock = Clock()
    heard: list[BenchEvent] = []
    progress = BenchProgress(heard.append, clock=clock)
    progress(BenchEvent("", "message", "probing torch"))
    assert heard[-1].progress is not None and heard[-1].progress.left_s is None
    assert heard[-1].progress.step == "probing torch"
    progress.plan({"eager": _plan("eager", 1, passes=2, budget_s=1.0)}, [5.0, 5.0])
    before = heard[-1].progress
    assert before is not None and before.left_s == pytest.approx(10 + 2 + 2 * 2 + 1)
    done = progress.step_done("eager")
    clock.now += 10
    done("import")
    clock.now += 2
    done("prepare 0 #1")
    middle = heard[-1].progress
    assert middle is not None and middle.left_s == pytest.approx(4 + 1) and middle.done == 2
    assert middle.step == "eager phase: timing w0, pass 1 of 2"
    progress.end()  # a cancel: the steps left are dropped
    last = heard[-1].progress
    assert last is not None and last.fraction == 1.0 and last.left_s == 0


def test_tasks_side_by_side_are_estimated_from_the_finished_ones() -> None:
    waiting = side_by_side("0 of 2 nodes done", 2, [], [5.0], 1, 5.0)
    assert waiting.left_s is None and waiting.done == 0
    still_queued = side_by_side("1 of 3 nodes done", 3, [40.0], [10.0], 1, 45.0)
    assert still_queued.left_s is None  # a queue says nothing of when the last will start
    running = side_by_side("1 of 3 nodes done", 3, [40.0], [10.0, 30.0], 0, 45.0)
    assert running.left_s == 30.0 and running.done == 1 and running.total == 3
    late = side_by_side("2 of 3 nodes done", 3, [40.0, 50.0], [60.0], 0, 70.0)
    assert late.left_s == 0.0


def test_a_fleet_run_says_where_its_nodes_stand_as_the_queue_empties() -> None:
    clock = Clock()
    heard: list[Progress] = []
    tasks = TaskClock(2, heard.append, clock)
    tasks.update({"7_0": ("PENDING", "Resources", ""), "7_1": ("PENDING", "Resources", "")})
    assert heard[-1].left_s is None and heard[-1].step == "0 of 2 nodes done, 0 running"
    clock.now += 5
    tasks.update({"7_0": ("RUNNING", "None", "n1"), "7_1": ("RUNNING", "None", "n2")})
    clock.now += 40
    tasks.update({"7_1": ("RUNNING", "None", "n2")})  # 7_0 finished after 40 s
    assert heard[-1].step == "1 of 2 nodes done, 1 running" and heard[-1].left_s == 0.0
    clock.now += 3
    tasks.update({})
    assert heard[-1].done == 2 and heard[-1].fraction == 1.0
