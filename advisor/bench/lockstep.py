"""Run the frameworks' bench scripts side by side and let them take turns, slot by slot.

Both suites live in their own processes (never two frameworks in one), started one
after the other so each import is timed alone, and each serves every phase of the run
in turn (the eager one, then the compiled one: "phase PLAN"), so a framework is imported
once per run. Then every slot ("prepare I", then "measure I" once per pass) goes to one
process at a time, the first mover alternating (see `slots`). A slow spell of a shared
machine (seen here: +50 % for ~10 s) then lands on both frameworks' samples of the same
workload, instead of on one whole suite, which is what keeps the PyTorch/TensorFlow
ratios stable between runs.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from advisor.bench.events import BenchEvent, BenchListener, CaseKey, relay
from advisor.bench.suite_result import suite_from_result
from advisor.catalog import FrameworkSpec
from advisor.probing.runner import Ending, ManagedProcess
from advisor.record import CaseResult, Interpreter, SuiteResult

Wait = Literal["ok", "dead", "timed_out", "cancelled"]
# One plan every suite follows, or each suite's own by framework id (bench --model).
Plans = Path | Mapping[str, Path]
_POLL_S = 0.1
_CANCELLED = "cancelled by the user"


@dataclass
class _Driven:
    """One running bench script and what it has reported."""

    spec: FrameworkSpec
    process: ManagedProcess
    signals: queue.Queue[str]
    cases: dict[CaseKey, CaseResult] = field(default_factory=dict)
    ending: Ending | None = None


@dataclass(frozen=True)
class Slot:
    """One command for every suite, and whether the suites take it in reverse order."""

    command: str
    reverse: bool


def slots(workloads: int, passes: int) -> list[Slot]:
    """Prepare every workload, then time each once per pass.

    The first mover alternates between neighbouring workloads and, for each workload,
    from one pass to the next, whatever the number of workloads.
    """
    prepare = [Slot(f"prepare {i}", i % 2 == 1) for i in range(workloads)]
    return prepare + [
        Slot(f"measure {i}", (i + turn) % 2 == 1)
        for turn in range(passes)
        for i in range(workloads)
    ]


def _nothing(_step: str) -> None:
    pass


@dataclass(frozen=True)
class PhaseRun:
    """One phase: its name, the plan(s) it follows, its slots and its hooks.

    ``before`` runs as the suites move on to the phase (or, in the first, once every suite
    is ready), before anything is timed; when it returns True (the user cancelled it) the
    suites stop. ``step_done`` hears "import" once every suite is ready, then
    "<command> #<n>" as every suite still running has taken the n-th turn of a command
    (for the time left).
    """

    name: str
    plans: Plans
    commands: Sequence[Slot]
    before: Callable[[], bool] | None = None
    step_done: Callable[[str], None] = _nothing


@dataclass(frozen=True)
class SideBySide:
    """A run's suites side by side: who runs, under which Python, the time each phase has,
    who hears, the cancel, the phases, in order, and whether each suite starts once the one
    before is ready (its import timed alone) or all at once (nobody reads the imports)."""

    specs: Sequence[FrameworkSpec]
    interpreter: Interpreter
    timeout_s: float
    listen: BenchListener
    cancel: threading.Event | None
    phases: Sequence[PhaseRun]
    stagger: bool = True


def run_side_by_side(run: SideBySide) -> list[SuiteResult]:
    """Each framework's suite, driven in turns through every phase; finished cases are kept
    whatever happens."""
    driven: list[_Driven] = []
    try:
        _drive(driven, run)
    except KeyboardInterrupt:  # outside a wait (those take it as a cancel): the same
        _stop(driven, "cancelled")
        started = {item.spec.id for item in driven}
        never = [
            SuiteResult(s.id, s.display_name, "cancelled", 0.0, reason=_CANCELLED, processes=0)
            for s in run.specs
            if s.id not in started
        ]
        return _results(driven, run.timeout_s) + never
    return _results(driven, run.timeout_s)


def _drive(driven: list[_Driven], run: SideBySide) -> None:
    """Start the suites, take them through each phase, then let them end."""
    deadline = time.monotonic()
    for number, phase in enumerate(run.phases):
        deadline = time.monotonic() + run.timeout_s
        names = [s.display_name for s in run.specs] if number == 0 else _running(driven)
        run.listen(BenchEvent("", "message", f"{phase.name} phase: {', '.join(names)}"))
        if number == 0 and _start_all(driven, run, phase, deadline):
            return
        if number > 0:
            _next_phase(driven, phase)
        if phase.before is not None and phase.before():
            _stop(driven, "cancelled")
            return
        running = [item for item in driven if item.ending is None] if number > 0 else []
        if any(_settle(item, "ready", deadline, run.cancel, driven) for item in running):
            return
        phase.step_done("import")
        if _take_turns(driven, phase.commands, phase.step_done, deadline, run.cancel):
            return
    for item in driven:  # every suite winds down at once: nothing is timed any more
        if item.ending is None:
            item.process.send("finish")
    for item in driven:
        if item.ending is None:
            item.ending = item.process.wait(max(deadline - time.monotonic(), 0.0), run.cancel)


def _running(driven: list[_Driven]) -> list[str]:
    return [item.spec.display_name for item in driven if item.ending is None]


def _take_turns(
    driven: list[_Driven],
    commands: Sequence[Slot],
    step_done: Callable[[str], None],
    deadline: float,
    cancel: threading.Event | None,
) -> bool:
    """Every slot, one suite at a time; True when the run must stop."""
    turns: Counter[str] = Counter()
    for slot in commands:
        for item in driven[::-1] if slot.reverse else driven:
            if item.ending is None and not item.process.send(slot.command):
                item.ending = item.process.wait(0)
            if item.ending is None and _settle(item, "slot_done", deadline, cancel, driven):
                return True
        turns[slot.command] += 1
        step_done(f"{slot.command} #{turns[slot.command]}")
    return False


def _start_all(driven: list[_Driven], run: SideBySide, phase: PhaseRun, deadline: float) -> bool:
    """Start every suite, each once the one before is ready where ``run.stagger`` (its
    import timed alone), else all at once; True to stop."""
    for spec in run.specs:
        driven.append(_start(spec, run, phase.plans))
        if run.stagger and _settle(driven[-1], "ready", deadline, run.cancel, driven):
            return True
    waiting = [] if run.stagger else driven
    return any(_settle(item, "ready", deadline, run.cancel, driven) for item in waiting)


def _next_phase(driven: list[_Driven], phase: PhaseRun) -> None:
    """Move every running suite on to the phase: they set up at once (nothing is timed),
    while the phase's ``before`` runs."""
    for item in driven:
        if item.ending is None and not item.process.send(f"phase {_plan(phase.plans, item.spec)}"):
            item.ending = item.process.wait(0)


def _plan(plans: Plans, spec: FrameworkSpec) -> Path:
    return plans if isinstance(plans, Path) else plans[spec.id]


def _start(spec: FrameworkSpec, run: SideBySide, plans: Plans) -> _Driven:
    signals: queue.Queue[str] = queue.Queue()
    cases: dict[CaseKey, CaseResult] = {}

    def on_event(event: dict[str, Any]) -> None:
        stage = event.get("stage")
        if stage in ("ready", "slot_done"):
            signals.put(str(stage))
        else:
            relay(spec.id, event, cases, run.listen)

    argv = [run.interpreter.executable, str(spec.bench_script), "--plan", str(_plan(plans, spec))]
    process = ManagedProcess(argv, on_event, interactive=True)
    return _Driven(spec, process, signals, cases)


def _settle(
    item: _Driven,
    signal: str,
    deadline: float,
    cancel: threading.Event | None,
    everyone: list[_Driven],
) -> bool:
    """Wait for the signal; True when the whole run must stop (timeout or cancel)."""
    outcome = _wait_for(item, signal, deadline, cancel)
    if outcome == "ok":
        return False
    if outcome == "dead":
        item.ending = item.process.wait(0)
        return False
    _stop(everyone, outcome)
    return True


def _stop(everyone: list[_Driven], outcome: Ending) -> None:
    for other in everyone:
        if other.ending is None:
            other.process.kill()
            other.ending = outcome


def _wait_for(item: _Driven, signal: str, deadline: float, cancel: threading.Event | None) -> Wait:
    try:
        while True:
            try:
                if item.signals.get(timeout=_POLL_S) == signal:
                    return "ok"
            except queue.Empty:
                pass
            if not item.process.alive() and item.signals.empty():
                return "dead"
            if cancel is not None and cancel.is_set():
                return "cancelled"
            if time.monotonic() >= deadline:
                return "timed_out"
    except KeyboardInterrupt:
        return "cancelled"


def _results(driven: list[_Driven], timeout_s: float) -> list[SuiteResult]:
    return [
        suite_from_result(
            item.spec,
            item.process.result(item.ending or "exited"),
            timeout_s,
            list(item.cases.values()),
        )
        for item in driven
    ]
