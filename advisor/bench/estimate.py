"""Time left in a benchmark run, from the preset's budgets, corrected as slots finish.

The run's steps are its phases' imports and slots (`lockstep.slots`): a slot is finished
when every running framework has said so, since the frameworks take turns and a slot's
wall time is theirs together. Priors, per framework and case:

- timing a workload once: one pass's share of the preset's timing budget;
- preparing it: the same (building the model, warm-up and the first call, seen here to
  take about as long as a pass on the quick preset);
- preparing it compiled: `COMPILE_PRIOR_S` (torch.compile and XLA compile here);
- moving the processes, which imported their frameworks as the run's probes, on to the
  eager phase: `PHASE_START_PRIOR_S`; on to the compiled phase: `PHASE_SWITCH_PRIOR_S`;
- the parity check and torch.compile's one-time compiler set-up: `PARITY_PRIOR_S` and
  `COMPILER_SETUP_PRIOR_S`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Literal

from advisor.base.progress import Step, Tracker
from advisor.bench.events import BenchEvent, BenchListener
from advisor.bench.lockstep import slots

# Seen on a 2-core CPU (benchmarks/time_left_accuracy.py): compiling one small case in
# torch.compile or XLA 3-10 s; comparing the outputs 0.4 s; the compiler set-up 17 s.
COMPILE_PRIOR_S = 5.0
PARITY_PRIOR_S = 1.0
COMPILER_SETUP_PRIOR_S = 15.0
PHASE_SWITCH_PRIOR_S = 1.0
PHASE_START_PRIOR_S = 0.5
PARITY_STEP, SETUP_STEP = "parity", "compiler setup"


def _workload_of(command: str, plan: dict[str, Any]) -> dict[str, Any]:
    return dict(plan["workloads"][int(command.split()[1])])


def _label(phase: str, command: str, pass_no: int, plan: dict[str, Any]) -> str:
    workload = _workload_of(command, plan)["id"]
    if command.startswith("prepare"):
        verb = "compiling" if phase == "compiled" else "preparing"
        return f"{phase} phase: {verb} {workload}"
    return f"{phase} phase: timing {workload}, pass {pass_no} of {plan['passes']}"


def bench_steps(
    plans: dict[str, dict[str, Any]], frameworks: int, compiler_setup: bool
) -> list[Step]:
    """The steps of a run of `frameworks` suites whose phases follow `plans`, once the
    probes have imported the frameworks; with the compiler's set-up when it is still to
    be done."""
    steps = []
    for number, (phase, plan) in enumerate(plans.items()):
        steps.append(_phase_start(phase, number == 0))
        if phase == "compiled":  # the parity check and set-up run once the suites are ready
            steps += _between_phases(compiler_setup)
        per_pass = float(plan["budget"]["budget_s"])
        seen: Counter[str] = Counter()
        for slot in slots(len(plan["workloads"]), int(plan["passes"])):
            seen[slot.command] += 1
            cases = len(_workload_of(slot.command, plan)["dtypes"]) * frameworks
            preparing = slot.command.startswith("prepare")
            each = COMPILE_PRIOR_S if preparing and phase == "compiled" else per_pass
            kind = f"{phase} {'prepare' if preparing else 'measure'}"
            steps.append(
                Step(
                    f"{phase} {slot.command} #{seen[slot.command]}",
                    _label(phase, slot.command, seen[slot.command], plan),
                    kind,
                    each * cases,
                )
            )
    if "compiled" not in plans:  # the parity check runs once the eager phase has ended
        steps += _between_phases(False)
    return steps


def _phase_start(phase: str, first: bool) -> Step:
    """The processes move on to the phase: the first from their probes, a later one from
    the phase before (for PyTorch's compiled one, TorchDynamo's import)."""
    if first:
        return Step(f"{phase} import", f"{phase} phase: setting up", "start", PHASE_START_PRIOR_S)
    return Step(f"{phase} import", f"{phase} phase: setting up", "switch", PHASE_SWITCH_PRIOR_S)


def _between_phases(compiler_setup: bool) -> list[Step]:
    parity = Step(PARITY_STEP, "comparing the outputs of both frameworks", "parity", PARITY_PRIOR_S)
    if not compiler_setup:
        return [parity]
    setup = Step(
        SETUP_STEP,
        "setting up torch.compile's compiler (once per machine)",
        "setup",
        COMPILER_SETUP_PRIOR_S,
    )
    return [parity, setup]


class BenchProgress:
    """A bench listener that forwards every event, then the run's progress as an event."""

    def __init__(self, listen: BenchListener, clock: Callable[[], float] | None = None) -> None:
        self._listen = listen
        self.tracker = Tracker(clock=clock) if clock else Tracker()

    def plan(
        self,
        plans: dict[str, dict[str, Any]],
        frameworks: int,
        compiler_setup: bool = False,
        history: Mapping[str, float] | None = None,
    ) -> None:
        """The run's steps, once the frameworks that will run are known; `history` as in
        Tracker.plan."""
        self.tracker.plan(bench_steps(plans, frameworks, compiler_setup), history)
        self._say()

    def finished(self, step: str) -> None:
        """A step outside the phases (PARITY_STEP, SETUP_STEP) is done."""
        self.tracker.finish(step)
        self._say()

    def step_done(self, phase: str) -> Callable[[str], None]:
        """What the phase's lockstep calls as each of its steps finishes."""

        def done(step: str) -> None:
            self.tracker.finish(f"{phase} {step}")
            self._say()

        return done

    def end(self, outcome: Literal["done", "cancelled"] = "done") -> None:
        """The run is over: nothing is left, and the progress says how it ended."""
        self.tracker.end(outcome)
        self._say()

    def __call__(self, event: BenchEvent) -> None:
        self._listen(event)
        if event.kind == "message" and not event.framework:
            self._say(event.message)  # the run's own messages name what it is doing

    def _say(self, label: str | None = None) -> None:
        progress = self.tracker.now(label)
        self._listen(BenchEvent("", "progress", progress.step, progress=progress))
