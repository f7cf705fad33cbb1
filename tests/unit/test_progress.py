"""Time left: priors from the budgets, corrected by the steps that finished."""

from __future__ import annotations

import io

import pytest

from advisor.base.progress import Progress, Step, Tracker, side_by_side
from advisor.bench.estimate import (
    COMPILE_PRIOR_S,
    PARITY_STEP,
    PHASE_START_PRIOR_S,
    PHASE_SWITCH_PRIOR_S,
    SETUP_STEP,
    BenchProgress,
    bench_steps,
)
from advisor.bench.events import BenchEvent
from advisor.bench.lockstep import slots
from advisor.fleet.backend import TaskClock
from advisor.wording.formatting import progress_text, time_left


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
    assert time_left(progress) == "estimating time left"


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
    ("elapsed", "seconds", "words"),
    [
        (60, 0.6, "almost done"),
        (60, 4.9, "almost done"),  # 92 % done and under 5 s left
        (30, 4.0, "about 4 s left"),  # under 5 s but only 88 % done: not "almost"
        (200, 5.0, "about 5 s left"),  # 98 % done but 5 s left
        (60, 0.2, "taking longer than estimated"),  # the estimate ran out, the run goes on
        (3, 0.0, "taking longer than estimated"),
        (10, 7.4, "about 7 s left"),
        (10, 42, "about 40 s left"),
        (10, 60, "about 1 min left"),
        (10, 86, "about 1 min 25 s left"),
    ],
)
def test_time_left_in_words(elapsed: float, seconds: float, words: str) -> None:
    assert time_left(Progress("timing matmul", 3, 10, elapsed, seconds)) == words


def _plan(phase: str, workloads: int, passes: int = 5, budget_s: float = 0.13) -> dict:
    return {
        "phase": phase,
        "passes": passes,
        "budget": {"budget_s": budget_s},
        "workloads": [{"id": f"w{i}", "dtypes": ["float32"]} for i in range(workloads)],
    }


def test_a_bench_run_has_a_start_step_and_a_step_per_slot_in_each_phase() -> None:
    plans = {"eager": _plan("eager", 3), "compiled": _plan("compiled", 1)}
    steps = bench_steps(plans, 2, compiler_setup=True)
    assert len(steps) == 2 + 2 + len(slots(3, 5)) + len(slots(1, 5))
    assert len({s.key for s in steps}) == len(steps)
    # the probes imported the frameworks: the eager phase only moves them on to its plan
    assert steps[0].prior_s == PHASE_START_PRIOR_S and steps[0].kind == "start"
    # the same processes move on to the compiled phase, then the parity check and the
    # compiler's set-up run before anything of it is timed
    between = [s.key for s in steps if s.kind in ("parity", "setup", "start", "switch")]
    assert between == ["eager import", "compiled import", PARITY_STEP, SETUP_STEP]
    switch = next(s for s in steps if s.key == "compiled import")
    assert switch.kind == "switch" and switch.prior_s == PHASE_SWITCH_PRIOR_S
    eager_only = bench_steps({"eager": _plan("eager", 3)}, 1, compiler_setup=False)
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
    progress.plan({"eager": _plan("eager", 1, passes=2, budget_s=1.0)}, 2)
    before = heard[-1].progress
    assert before is not None
    assert before.left_s == pytest.approx(PHASE_START_PRIOR_S + 2 + 2 * 2 + 1)
    done = progress.step_done("eager")
    clock.now += PHASE_START_PRIOR_S
    done("import")
    clock.now += 2
    done("prepare 0 #1")
    middle = heard[-1].progress
    assert middle is not None and middle.left_s == pytest.approx(4 + 1) and middle.done == 2
    assert middle.step == "eager phase: timing w0, pass 1 of 2"
    progress.end("cancelled")  # the steps left are dropped; the bar stays where it was
    last = heard[-1].progress
    assert last is not None and last.left_s == 0 and last.step == "cancelled"
    assert last.fraction == pytest.approx(middle.fraction)
    assert progress_text(last) == "cancelled"


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


def test_a_step_running_late_leaves_the_estimate_of_the_steps_after_it() -> None:
    clock = Clock()
    tracker = Tracker(_steps(2, 10), clock=clock)
    clock.now += 5  # the first step, due in 2 s, is still going
    assert tracker.now().left_s == 10  # not 12 - 5: the second step has not begun


def test_the_share_done_never_goes_back_when_the_estimate_grows() -> None:
    clock = Clock()
    tracker = Tracker(_steps(1, 1, 10, kind="export"), clock=clock)
    clock.now += 3  # the first step, due in 1 s, still going
    before = tracker.now()
    assert before.fraction == pytest.approx(3 / (3 + 1 + 10))
    after = tracker.finish("s0")  # it took 3x: so will the rest, by the estimate
    assert after.left_s == pytest.approx(3 * 11)
    by_time = after.elapsed_s / (after.elapsed_s + after.left_s)
    assert by_time < before.fraction  # what the bar jumped back to
    assert after.fraction == before.fraction  # what it shows: where it was
    clock.now += 20
    assert before.fraction < tracker.now().fraction  # and on from there as time passes
    assert tracker.now().after(5).fraction >= tracker.now().fraction


def test_a_cancel_says_cancelled_and_an_end_says_done() -> None:
    clock = Clock()
    tracker = Tracker(_steps(1, 1, 1), clock=clock)
    clock.now += 1
    halfway = tracker.finish("s0")
    tracker.end("cancelled")
    cancelled = tracker.now()
    assert cancelled.step == "cancelled" and cancelled.left_s == 0
    assert progress_text(cancelled) == "cancelled" and time_left(cancelled) == ""
    assert cancelled.fraction == halfway.fraction and cancelled.after(5) == cancelled
    finished = Tracker(_steps(1), clock=clock)
    clock.now += 1
    finished.finish("s0")
    finished.end()
    assert progress_text(finished.now()) == "done" and finished.now().fraction == 1.0


def test_the_last_run_here_sets_the_priors_of_its_kinds_until_this_run_knows_better() -> None:
    clock = Clock()
    tracker = Tracker(clock=clock)
    tracker.plan([*_steps(1, 1, 1), Step("c", "compile", "compile", 10)], {"measure": 3.0})
    assert tracker.now().left_s == pytest.approx(3 * 3 + 10)  # compile: no history, its prior
    clock.now += 1  # this run's first measure step takes its prior
    # the last run counts as one step: (3 + 1 x 1) / 2
    assert tracker.finish("s0").left_s == pytest.approx(2 * 2.0 + 10)


def test_a_later_run_starts_from_how_long_the_first_run_here_took() -> None:
    from advisor.base.step_times import last_corrections, remember

    def run(history: dict[str, float]) -> tuple[float | None, float]:
        clock = Clock()
        tracker = Tracker(clock=clock)
        tracker.plan([*_steps(2, 2, 2), Step("l", "loading", "load", 1.0)], history)
        first = tracker.now().left_s
        for key, took in (("s0", 6), ("s1", 6), ("s2", 6), ("l", 0.5)):  # 3x, then 0.5x
            clock.now += took
            tracker.finish(key)
        tracker.end()
        remember("bench cpu", tracker)
        return first, clock.now - 100.0

    assert last_corrections("bench cpu") == {}  # an empty data folder: no history
    first_estimate, first_length = run(last_corrections("bench cpu"))
    assert first_estimate == pytest.approx(7.0) and first_length == pytest.approx(18.5)
    assert last_corrections("bench cpu") == {"measure": 3.0, "load": 0.5}
    assert last_corrections("deploy") == {}  # another kind of run has its own
    later_estimate, _ = run(last_corrections("bench cpu"))
    assert later_estimate == pytest.approx(3 * 6 + 0.5)  # the first run's real length


@pytest.mark.parametrize(
    "kept",
    [
        "not json",
        '{"schema_version": 99, "runs": {"bench cpu": {"measure": {"prior_s": 1, "taken_s": 2}}}}',
        '{"schema_version": 1, "runs": {"bench cpu": {"measure": {"prior_s": 0, "taken_s": 2}}}}',
        '{"schema_version": 1, "runs": {"bench cpu": {"measure": {"prior_s": "x"}}}}',
        '{"schema_version": 1, "runs": {"bench cpu": {"measure": {"prior_s": 1, "taken_s": 1e9}}}}',
        '{"schema_version": 1, "runs": []}',
    ],
)
def test_kept_step_times_that_cannot_be_trusted_are_no_history(kept: str) -> None:
    from advisor.base.datadir import data_dir
    from advisor.base.step_times import FILE_NAME, last_corrections, remember

    (data_dir() / FILE_NAME).write_text(kept, encoding="utf-8")
    assert last_corrections("bench cpu") == {}
    clock = Clock()
    tracker = Tracker(_steps(1), clock=clock)
    clock.now += 2
    tracker.finish("s0")
    remember("bench cpu", tracker)  # a bad file is replaced by a good one
    assert last_corrections("bench cpu") == {"measure": 2.0}


@pytest.mark.usefixtures("unusable_data_folder")
def test_a_data_folder_that_cannot_be_written_costs_only_the_history() -> None:
    from advisor.base.step_times import last_corrections, remember

    clock = Clock()
    tracker = Tracker(_steps(1), clock=clock)
    clock.now += 2
    tracker.finish("s0")
    remember("deploy", tracker)
    assert last_corrections("deploy") == {}


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, so the live bar draws into it."""

    def isatty(self) -> bool:
        return True


def test_the_terminal_bar_never_moves_back_and_a_cancel_says_cancelled() -> None:
    from advisor.terminal.live import LiveOutput

    stream = _Terminal()
    with LiveOutput(stream) as live:
        assert live._bar is not None
        live.progress(Progress("exporting from torch", 3, 10, 60.0, 40.0))
        live.progress(Progress("exporting from tensorflow", 4, 10, 62.0, 196.0))
        (task,) = live._bar.tasks
        assert task.completed == 600  # not 240
        live.progress(Progress("cancelled", 4, 10, 63.0, 0.0, 0.6, "cancelled"))
        (task,) = live._bar.tasks
        assert task.description == "cancelled" and task.completed == 600
        live._bar.refresh()
    assert "cancelled" in stream.getvalue() and "almost done" not in stream.getvalue()
