"""Progress with time left for long runs (probing, benchmarks, deployment routes, fleets).

A run is a list of steps, each with a prior: how long it should take, from the preset's
budgets. Each kind of step has a correction, the time its steps took over what their
priors said: from this machine's last run of the same kind (advisor.base.step_times) until a
step of the kind finishes in this run, then from this run's steps too. The estimate is
an estimate: the time left goes up when a step takes longer than its kind has so far,
but the share of the run shown as done never goes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

# A correction from one finished step can be far off (a first step that also warms caches);
# it is kept within these bounds until more steps of the kind have finished.
_CORRECTION_BOUNDS = (0.25, 4.0)

_UNFINISHED = 0.99  # the most of a run with steps still to finish shown as done

Outcome = Literal["", "done", "cancelled"]  # "" while the run goes on


@dataclass(frozen=True)
class Step:
    """One piece of a run: finished all at once, estimated by its prior."""

    key: str  # unique in the run; what `finish` is told
    label: str  # what the user reads while it runs, e.g. "timing matmul, pass 2 of 5"
    kind: str  # steps of one kind share a correction (e.g. "prepare", "measure")
    prior_s: float


@dataclass(frozen=True)
class Progress:
    """Where a run stands: the step under way, how much is done and the time left."""

    step: str
    done: int  # steps finished
    total: int  # steps planned so far
    elapsed_s: float
    left_s: float | None  # None while the run's plan is not known yet
    least: float = 0.0  # the share already shown as done: a bar never moves back
    ended: Outcome = ""  # how the run ended (the step then says so too)

    @property
    def fraction(self) -> float:
        """Done by time: elapsed / (elapsed + left); by steps while there is no estimate;
        never less than `least`, and where it stopped for a cancelled run."""
        if self.ended:
            return 1.0 if self.ended == "done" else self.least
        if self.left_s is None:
            return max(self.least, self.done / self.total if self.total else 0.0)
        spent = self.elapsed_s + self.left_s
        by_time = self.elapsed_s / spent if spent > 0 else 1.0
        if self.done < self.total:  # a step still going: never shown whole, however late
            by_time = min(by_time, _UNFINISHED)
        return max(self.least, by_time)

    def after(self, seconds: float) -> Progress:
        """The same progress `seconds` later, with no step finished meanwhile (for a ticking
        display between updates); the time left does not go below zero."""
        if self.ended:
            return self
        left = None if self.left_s is None else max(0.0, self.left_s - seconds)
        elapsed = self.elapsed_s + seconds
        return Progress(self.step, self.done, self.total, elapsed, left, self.fraction)


class Tracker:
    """Steps planned, steps finished, and the estimate of the rest."""

    def __init__(
        self, steps: Sequence[Step] = (), clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._history: dict[str, float] = {}  # kind -> correction in the last run here
        self._shown = 0.0  # the largest share of the run reported as done
        self._ended: Outcome = ""
        self._started = clock()
        self._last_finish = self._started
        self._steps: list[Step] = []
        self._done: dict[str, float] = {}  # key -> seconds the step took
        self._planned = False
        self.plan(steps)

    def plan(self, steps: Sequence[Step], history: Mapping[str, float] | None = None) -> None:
        """Add steps to the run; the first call with steps makes the time left known.
        `history`: per kind of step, time taken over prior in this machine's last such run."""
        self._history.update(history or {})
        known = {s.key for s in self._steps}
        self._steps += [s for s in steps if s.key not in known]
        self._planned = self._planned or bool(steps)

    def finish(self, key: str, label: str | None = None) -> Progress:
        """Mark a step finished (an unknown or repeated key changes nothing)."""
        now = self._clock()
        if key in {s.key for s in self._steps} and key not in self._done:
            self._done[key] = now - self._last_finish
            self._last_finish = now
        return self.now(label)

    def skip(self, keys: Sequence[str]) -> None:
        """Drop steps that will not run (a framework that stopped); they count as done with
        no time, and correct nothing."""
        dropped = set(keys) - set(self._done)
        self._steps = [s for s in self._steps if s.key not in dropped]

    def end(self, outcome: Literal["done", "cancelled"] = "done") -> None:
        """The run is over, however it ended (a cancel, a framework that stopped): the
        steps not finished are dropped, so nothing is left, and progress says `outcome`."""
        self.skip(self.pending())
        self._ended = outcome

    def pending(self) -> list[str]:
        """The keys of the steps not finished yet."""
        return [s.key for s in self._steps if s.key not in self._done]

    def now(self, label: str | None = None) -> Progress:
        """The progress at this moment; `label` overrides the step shown."""
        progress = self._estimate(label)
        self._shown = progress.fraction
        return progress

    def timings(self) -> dict[str, tuple[float, float]]:
        """Per kind of step, the priors and the seconds taken of the steps finished."""
        kinds: dict[str, tuple[float, float]] = {}
        for step in self._steps:
            if step.key in self._done:
                prior, taken = kinds.get(step.kind, (0.0, 0.0))
                kinds[step.kind] = (prior + step.prior_s, taken + self._done[step.key])
        return kinds

    def _estimate(self, label: str | None) -> Progress:
        elapsed = self._clock() - self._started
        pending = [s for s in self._steps if s.key not in self._done]
        done, total = len(self._done), len(self._steps)
        if self._ended:
            return Progress(self._ended, done, total, elapsed, 0.0, self._shown, self._ended)
        shown = label or (pending[0].label if pending else "finishing")
        if not self._planned:
            return Progress(shown, done, total, elapsed, None, self._shown)
        estimates = [s.prior_s * self._correction(s.kind) for s in pending]
        # The step under way has run since the last one finished: only its own estimate
        # shrinks with that (one step running long says nothing of the steps after it).
        running = self._clock() - self._last_finish
        left = max(0.0, estimates[0] - running) + sum(estimates[1:]) if estimates else 0.0
        return Progress(shown, done, total, elapsed, left, self._shown)

    def _correction(self, kind: str) -> float:
        """Time taken over prior for the finished steps of `kind`, the last run's counting as
        one of them; before any has finished, the last run's, else 1 (kinds differ too much
        for one kind's correction to say much about another's)."""
        prior = taken = 0.0
        count = 0
        for step in self._steps:
            if step.key in self._done and step.kind == kind:
                prior += step.prior_s
                taken += self._done[step.key]
                count += 1
        last = self._history.get(kind)
        if count == 0 or prior <= 0:
            return 1.0 if last is None else last
        ratio = taken / prior
        if count < 3:
            ratio = min(max(ratio, _CORRECTION_BOUNDS[0]), _CORRECTION_BOUNDS[1])
        return ratio if last is None else (last + count * ratio) / (1 + count)


def side_by_side(
    step: str,
    total: int,
    durations: Sequence[float],
    running_s: Sequence[float],
    waiting: int,
    elapsed_s: float,
) -> Progress:
    """Where tasks that run at the same time (one per cluster node) stand: `durations` of
    the finished ones, how long each running one has run, how many still wait to start.

    The time left is the longest of the running tasks' expected remainders, expecting
    each to take as long as the finished ones did on average: unknown until one has
    finished, and while any task still waits in the queue (a queue says nothing of when).
    """
    done = len(durations)
    if not durations or waiting:
        return Progress(step, done, total, elapsed_s, None)
    expected = sum(durations) / len(durations)
    left = max((max(0.0, expected - running) for running in running_s), default=0.0)
    return Progress(step, done, total, elapsed_s, left)
